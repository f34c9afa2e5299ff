"""Result items of finished jobs, stored as Redis lists so a Get* page reads only its own slice.

Each job stores one list per *view* (an ordering such as ``TIMESTAMP/TIMESTAMPS`` or ``NAME/SEGMENTS``);
items are the Rekognition JSON items of that operation, already converted by the operation's converter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import redis

from workers import keys

_WRITE_BATCH = 500


class ResultStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def replace(
        self, job_id: str, views: Mapping[str, Iterable[dict[str, Any]]], ttl_seconds: int
    ) -> dict[str, int]:
        """Store every view of a job, replacing anything an earlier attempt wrote; return the counts."""
        counts: dict[str, int] = {}
        for view, items in views.items():
            key = keys.results(job_id, view)
            self._redis.delete(key)
            count = 0
            batch: list[str] = []
            for item in items:
                batch.append(json.dumps(item, separators=(",", ":")))
                if len(batch) >= _WRITE_BATCH:
                    self._redis.rpush(key, *batch)
                    count += len(batch)
                    batch = []
            if batch:
                self._redis.rpush(key, *batch)
                count += len(batch)
            if count:
                self._redis.expire(key, ttl_seconds)
            counts[view] = count
        return counts

    def page(self, job_id: str, view: str, offset: int, limit: int) -> list[dict[str, Any]]:
        """Items ``offset`` .. ``offset + limit - 1`` of one view."""
        raw = self._redis.lrange(keys.results(job_id, view), offset, offset + limit - 1)
        return [json.loads(item) for item in raw]

    def delete(self, job_id: str, views: Iterable[str]) -> None:
        for view in views:
            self._redis.delete(keys.results(job_id, view))
