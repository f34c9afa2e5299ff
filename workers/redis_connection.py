"""The one way vidrek processes connect to Redis."""

from __future__ import annotations

import redis

from pipelines.errors import Misconfigured
from workers.settings import Settings


class RedisNotConfigured(Misconfigured, RuntimeError):
    """VIDREK_REDIS_URL is empty in a process that needs Redis."""


def redis_url(settings: Settings) -> str:
    if not settings.redis_url:
        raise RedisNotConfigured(
            "VIDREK_REDIS_URL is not set. Start the whole stack with `vidrek up` (it starts an embedded "
            "Redis), or point VIDREK_REDIS_URL at a Redis server."
        )
    return settings.redis_url


def connect(settings: Settings) -> redis.Redis:
    """A client with decoded (str) responses for vidrek's own keys."""
    return redis.Redis.from_url(redis_url(settings), decode_responses=True, health_check_interval=30)
