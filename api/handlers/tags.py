"""Tagging: TagResource, UntagResource and ListTagsForResource on collections and stream processors.

Tags live in :mod:`workers.tags` (one hash per resource ARN, deleted with the resource). The model already
checks key and value lengths and characters (keys may not start with ``aws:``) and at most 200 entries per
request; here: the ARN must name a collection or stream processor that exists (else
``ResourceNotFoundException``; an ARN that names nothing vidrek can tag is ``InvalidParameterException``),
and a resource carries at most 50 tags (``ServiceQuotaExceededException``). CreateCollection and
CreateStreamProcessor use :func:`creation_tags` and :func:`save_creation_tags` for their ``Tags`` member.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.context import ServiceContext
from api.errors import (
    InvalidParameterException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ThrottlingException,
)
from api.handlers import Handler
from workers.tags import (
    NotTaggableArn,
    TaggedResourceNotFound,
    TagStore,
    TagStoreBusy,
    TooManyTags,
    check_tag_count,
)


def _store(ctx: ServiceContext) -> TagStore:
    return TagStore(ctx.redis_client)


def tag_resource(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    try:
        _store(ctx).add(params["ResourceArn"], params["Tags"])
    except TooManyTags as err:
        raise ServiceQuotaExceededException(str(err)) from err
    except (NotTaggableArn, TaggedResourceNotFound, TagStoreBusy) as err:
        raise _lookup_error(err) from err
    return {}


def untag_resource(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    try:
        _store(ctx).remove(params["ResourceArn"], params["TagKeys"])
    except (NotTaggableArn, TaggedResourceNotFound, TagStoreBusy) as err:
        raise _lookup_error(err) from err
    return {}


def list_tags_for_resource(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"Tags": _store(ctx).tags(params["ResourceArn"])}
    except (NotTaggableArn, TaggedResourceNotFound) as err:
        raise _lookup_error(err) from err


def _lookup_error(err: Exception) -> Exception:
    if isinstance(err, NotTaggableArn):
        return InvalidParameterException(f"ResourceArn: {err}")
    if isinstance(err, TagStoreBusy):
        return ThrottlingException(str(err))
    return ResourceNotFoundException(str(err))


# --- Tags given at creation (CreateCollection, CreateStreamProcessor) --------------------------------


def creation_tags(params: Mapping[str, Any]) -> dict[str, str]:
    """The request's ``Tags`` (empty without them), refused before anything is created when too many."""
    tags = {str(key): str(value) for key, value in (params.get("Tags") or {}).items()}
    try:
        check_tag_count(tags)
    except TooManyTags as err:
        raise ServiceQuotaExceededException(f"Tags: {err}") from err
    return tags


def save_creation_tags(ctx: ServiceContext, arn: str, tags: Mapping[str, str]) -> None:
    """Store the tags of a resource just created; nothing when it was deleted again meanwhile."""
    if not tags:
        return
    try:
        _store(ctx).add(arn, tags)
    except TaggedResourceNotFound:
        return
    except TooManyTags as err:
        raise ServiceQuotaExceededException(str(err)) from err
    except TagStoreBusy as err:
        raise ThrottlingException(str(err)) from err


HANDLERS: dict[str, Handler] = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
