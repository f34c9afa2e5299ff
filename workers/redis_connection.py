"""The one way vidrek processes connect to Redis."""

from __future__ import annotations

import functools

import redis

from workers.settings import Settings


class RedisNotConfigured(RuntimeError):
    pass


def redis_url(settings: Settings) -> str:
    if not settings.redis_url:
        raise RedisNotConfigured(
            "VIDREK_REDIS_URL is not set. Start the whole stack with `vidrek up` (it starts an embedded "
            "Redis), or point VIDREK_REDIS_URL at a Redis server."
        )
    return settings.redis_url


@functools.lru_cache(maxsize=4)
def client_for_url(url: str) -> redis.Redis:
    """One long-lived client per URL and process."""
    return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)


def connect(settings: Settings) -> redis.Redis:
    """A client with decoded (str) responses for vidrek's own keys."""
    return redis.Redis.from_url(redis_url(settings), decode_responses=True, health_check_interval=30)
