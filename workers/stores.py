"""The one place vidrek builds its stores: :class:`Stores`, every Redis-backed store of one process.

The API, the analysis worker, the notification worker, stream processor runs and the CLI each build one
``Stores`` (from the settings, or on a client they were handed) and pass it, or single stores from it, to
whoever needs them. Nothing else constructs a store, so each store has one configuration (retention,
region, leases) and long-lived caches (the collections' vector indexes) serve every request of the
process. Key names live in :mod:`workers.keys`.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from workers.celebrity_gallery import CelebrityGallery
from workers.collections import CollectionStore
from workers.face_users import FaceUserStore
from workers.jobs import JobStore
from workers.metrics import MetricsBuffer
from workers.notifications.delivery_log import DeliveryLog
from workers.notifications.outbox import Outbox
from workers.notifications.subscriptions import SubscriptionStore
from workers.redis_connection import connect
from workers.results import ResultStore
from workers.settings import Settings
from workers.stream_processors import StreamProcessorStore
from workers.tags import TagStore
from workers.user_request_tokens import UserRequestTokens


@dataclass(frozen=True)
class Stores:
    """Every store of one process, on one Redis client (see the module docstring)."""

    redis_client: redis.Redis
    jobs: JobStore
    results: ResultStore
    collections: CollectionStore
    users: FaceUserStore
    user_request_tokens: UserRequestTokens
    tags: TagStore
    stream_processors: StreamProcessorStore
    celebrities: CelebrityGallery
    delivery_log: DeliveryLog
    subscriptions: SubscriptionStore
    outbox: Outbox
    #: The process's buffered metric counts (inference and Get* latencies ...), see workers/metrics.py.
    metrics: MetricsBuffer

    @classmethod
    def on(cls, client: redis.Redis, settings: Settings) -> Stores:
        """The stores on ``client`` (decoded responses), configured by ``settings``."""
        collections = CollectionStore(client, settings.region)
        return cls(
            redis_client=client,
            jobs=JobStore(
                client,
                retention_seconds=settings.result_ttl_seconds,
                running_grace_seconds=settings.job_time_limit_seconds * settings.job_max_attempts,
            ),
            results=ResultStore(client),
            collections=collections,
            users=FaceUserStore(client, collections),
            user_request_tokens=UserRequestTokens(client, settings.result_ttl_seconds),
            tags=TagStore(client),
            stream_processors=StreamProcessorStore(client, settings.region),
            celebrities=CelebrityGallery(client, collections, settings.celebrity_collection),
            delivery_log=DeliveryLog(client, settings.result_ttl_seconds),
            subscriptions=SubscriptionStore(client),
            outbox=Outbox(client, int(settings.notification_lease_seconds * 1000)),
            metrics=MetricsBuffer(client),
        )

    @classmethod
    def connect(cls, settings: Settings) -> Stores:
        """The stores on a new client of ``VIDREK_REDIS_URL``; :meth:`close` closes it."""
        return cls.on(connect(settings), settings)

    def close(self) -> None:
        """Close the stores' own connections and the client."""
        self.metrics.close()
        self.collections.close()
        self.redis_client.close()
