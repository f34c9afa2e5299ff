"""Tags of taggable resources (face collections and stream processors) in Redis.

One hash per resource ARN (``keys.resource_tags``) maps tag key -> tag value; it is the only place a
resource's tags live, whether they were given at creation (CreateCollection / CreateStreamProcessor
``Tags``) or by TagResource. A resource exists when its own record hash (``keys.collection`` or
``keys.stream_processor``) holds exactly this ARN in its ``arn`` field, so an ARN of another region or
account, or of a deleted resource, is unknown. Every change WATCHes that record and the tag hash, so a
tag write never outlives a concurrent delete (the stores delete the tag hash in the same MULTI as the
record) and two concurrent TagResource calls cannot together pass the per-resource limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import redis

from pipelines.errors import InvalidInput, NotFound, QuotaExceeded, Unavailable
from workers import keys

#: Tags one resource may carry (AWS: 50 user tags per resource). More -> ServiceQuotaExceededException.
MAX_TAGS_PER_RESOURCE = 50

#: Optimistic (WATCH/MULTI) transactions retry this often on a concurrent change before giving up.
WATCH_RETRIES = 20

#: ARN resource type -> the Redis key of the record that proves such a resource exists.
_RECORD_KEYS: dict[str, Callable[[str], str]] = {
    "collection": keys.collection,
    "streamprocessor": keys.stream_processor,
}


class NotTaggableArn(InvalidInput):
    """The ARN is not the ARN of a Rekognition resource vidrek can tag (message says why)."""


class TaggedResourceNotFound(NotFound):
    """No collection or stream processor has this ARN."""


class TooManyTags(QuotaExceeded):
    """The change would leave the resource with more than MAX_TAGS_PER_RESOURCE tags."""


class TagStoreBusy(Unavailable):
    """Concurrent changes kept invalidating the transaction."""


@dataclass(frozen=True)
class TaggableResource:
    """A collection or stream processor named by its ARN; ``record_key`` is the hash proving it exists."""

    arn: str
    kind: str  # "collection" or "streamprocessor" (the ARN's resource type)
    resource_id: str
    record_key: str


def taggable_resource(arn: str) -> TaggableResource:
    """Parse ``arn:aws:rekognition:<region>:<account>:<collection|streamprocessor>/<id>``.

    NotTaggableArn when it is no Rekognition ARN; TaggedResourceNotFound for another Rekognition type.
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "rekognition":
        raise NotTaggableArn(f"ResourceArn: {arn} is not an Amazon Rekognition ARN.")
    kind, _, resource_id = parts[5].partition("/")
    if kind not in _RECORD_KEYS or not resource_id:
        # A Rekognition ARN of another kind (a Custom Labels project or model): vidrek has none.
        raise TaggedResourceNotFound(
            f"{arn} does not name a collection or a stream processor, the resources vidrek can tag."
        )
    return TaggableResource(arn, kind, resource_id, _RECORD_KEYS[kind](resource_id))


def check_tag_count(tags: Mapping[str, str]) -> None:
    """Tags given when a resource is created must fit the per-resource limit."""
    if len(tags) > MAX_TAGS_PER_RESOURCE:
        raise TooManyTags(
            f"Tags: {len(tags)} tags given; a resource can have at most {MAX_TAGS_PER_RESOURCE} tags."
        )


class TagStore:
    """Tags of one Redis (a client with decoded responses); safe to share between threads."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def tags(self, arn: str) -> dict[str, str]:
        resource = taggable_resource(arn)
        pipe = self._redis.pipeline(transaction=True)
        pipe.hget(resource.record_key, "arn")
        pipe.hgetall(keys.resource_tags(arn))
        stored_arn, tags = pipe.execute()
        if stored_arn != arn:
            raise TaggedResourceNotFound(_not_found_message(resource))
        return {str(key): str(value) for key, value in tags.items()}

    def add(self, arn: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite ``tags``; TooManyTags if the resource would carry more than the limit."""

        def change(pipe: Any, existing: dict[str, str]) -> None:
            total = len(existing.keys() | tags.keys())
            if total > MAX_TAGS_PER_RESOURCE:
                raise TooManyTags(
                    f"The resource would have {total} tags ({len(existing)} already); a resource can "
                    f"have at most {MAX_TAGS_PER_RESOURCE} tags."
                )
            pipe.multi()
            if tags:
                pipe.hset(keys.resource_tags(arn), mapping=dict(tags))

        self._change(arn, change)

    def remove(self, arn: str, tag_keys: Iterable[str]) -> None:
        """Remove the tags with these keys; keys the resource does not carry are ignored."""
        wanted = list(dict.fromkeys(tag_keys))

        def change(pipe: Any, existing: dict[str, str]) -> None:
            pipe.multi()
            if wanted:
                pipe.hdel(keys.resource_tags(arn), *wanted)

        self._change(arn, change)

    def _change(self, arn: str, change: Callable[[Any, dict[str, str]], None]) -> None:
        resource = taggable_resource(arn)
        tags_key = keys.resource_tags(arn)
        for _ in range(WATCH_RETRIES):
            with self._redis.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(resource.record_key, tags_key)  # type: ignore[no-untyped-call]
                    if pipe.hget(resource.record_key, "arn") != arn:
                        raise TaggedResourceNotFound(_not_found_message(resource))
                    existing = {str(k): str(v) for k, v in pipe.hgetall(tags_key).items()}
                    change(pipe, existing)
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue
        raise TagStoreBusy(f"The tags of {arn} are being changed by other requests; retry.")


def _not_found_message(resource: TaggableResource) -> str:
    what = "collection" if resource.kind == "collection" else "stream processor"
    return f"The {what} {resource.arn} does not exist."
