"""What every operation handler needs: settings, stores, sources and the queue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import redis

from api.paging import PageTokens, shared_secret
from workers.jobs import JobStore
from workers.results import ResultStore
from workers.settings import Settings
from workers.sources import VideoSources


@dataclass
class ServiceContext:
    settings: Settings
    redis_client: redis.Redis
    jobs: JobStore
    results: ResultStore
    sources: VideoSources
    page_tokens: PageTokens
    enqueue: Callable[[str], None]

    @classmethod
    def create(
        cls, settings: Settings, client: redis.Redis, enqueue: Callable[[str], None]
    ) -> ServiceContext:
        return cls(
            settings=settings,
            redis_client=client,
            jobs=JobStore(
                client,
                retention_seconds=settings.result_ttl_seconds,
                running_grace_seconds=settings.job_time_limit_seconds * settings.job_max_attempts,
            ),
            results=ResultStore(client),
            sources=VideoSources(settings),
            page_tokens=PageTokens(shared_secret(client)),
            enqueue=enqueue,
        )
