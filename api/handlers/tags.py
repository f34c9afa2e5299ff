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
from api.handlers import Handler
from workers.tags import TaggedResourceNotFound, check_tag_count


def tag_resource(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.stores.tags.add(params["ResourceArn"], params["Tags"])
    return {}


def untag_resource(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.stores.tags.remove(params["ResourceArn"], params["TagKeys"])
    return {}


def list_tags_for_resource(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": ctx.stores.tags.tags(params["ResourceArn"])}


# --- Tags given at creation (CreateCollection, CreateStreamProcessor) --------------------------------


def creation_tags(params: Mapping[str, Any]) -> dict[str, str]:
    """The request's ``Tags`` (empty without them), refused before anything is created when too many."""
    tags = {str(key): str(value) for key, value in (params.get("Tags") or {}).items()}
    check_tag_count(tags)
    return tags


def save_creation_tags(ctx: ServiceContext, arn: str, tags: Mapping[str, str]) -> None:
    """Store the tags of a resource just created; nothing when it was deleted again meanwhile."""
    if not tags:
        return
    try:
        ctx.stores.tags.add(arn, tags)
    except TaggedResourceNotFound:
        return


HANDLERS: dict[str, Handler] = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
