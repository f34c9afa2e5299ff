"""What every operation handler needs: settings, stores, models, sources, paging tokens and the queue.

The API process builds one :class:`ServiceContext` at start-up (``api.app.create_app``): stores from
:mod:`workers.stores`, models from :mod:`workers.models` (tests may hand in their own ``Models``).
Handlers take everything from it and build nothing themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import redis

from api.paging import PageTokens, shared_secret
from workers.metrics import count_inferences
from workers.models import Models
from workers.settings import Settings
from workers.sources import VideoSources
from workers.stores import Stores


@dataclass
class ServiceContext:
    settings: Settings
    stores: Stores
    models: Models
    sources: VideoSources
    page_tokens: PageTokens
    enqueue: Callable[[str], None]

    @property
    def redis_client(self) -> redis.Redis:
        return self.stores.redis_client

    @classmethod
    def create(
        cls, settings: Settings, stores: Stores, models: Models, enqueue: Callable[[str], None]
    ) -> ServiceContext:
        count_inferences(stores.metrics)  # image operations run models in the API process
        return cls(
            settings=settings,
            stores=stores,
            models=models,
            sources=VideoSources(settings),
            page_tokens=PageTokens(shared_secret(stores.redis_client)),
            enqueue=enqueue,
        )
