"""Stream processors: Create/Describe/List/Start/Stop/Update/DeleteStreamProcessor.

The API only records definitions and wanted states in Redis (:mod:`workers.stream_processors`); the
sessions run in the workers (:mod:`workers.stream_supervisor`, :mod:`workers.stream_runner`).

Errors follow botocore's model: a Name in use at Create is ``ResourceInUseException`` (the error the model
lists for CreateStreamProcessor), an unknown Name ``ResourceNotFoundException``, Start/Stop/Update/Delete
in the wrong status ``ResourceInUseException``, bad settings ``InvalidParameterException``.
"""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.errors import InvalidParameterException
from api.handlers import Handler
from api.handlers.tags import creation_tags, save_creation_tags
from api.paging import PagePosition
from pipelines.connected_home import VALID_LABELS
from workers.stream_processors import StreamProcessorStore
from workers.stream_sources import source_url

#: ListStreamProcessors returns at most this many per page (and this many without MaxResults).
MAX_PAGE_SIZE = 1000
#: The pagination "job" and "view" of ListStreamProcessors tokens (signed like Get* tokens).
_LIST_SCOPE = ("stream-processors", "NAME")

#: Members of the CreateStreamProcessor request kept as the processor's definition (and described).
_DEFINITION_MEMBERS = (
    "Input",
    "Output",
    "Settings",
    "RoleArn",
    "NotificationChannel",
    "KmsKeyId",
    "RegionsOfInterest",
    "DataSharingPreference",
)  # Tags live in workers.tags (ListTagsForResource), not in the definition.


def _store(ctx: ServiceContext) -> StreamProcessorStore:
    return ctx.stores.stream_processors


def _check_regions(regions: list[dict[str, Any]]) -> None:
    for i, region in enumerate(regions):
        box, polygon = region.get("BoundingBox"), region.get("Polygon")
        if (box is None) == (polygon is None):
            raise InvalidParameterException(
                f"RegionsOfInterest[{i}]: give exactly one of BoundingBox and Polygon."
            )
        values = (
            [box.get(k, 0.0) for k in ("Left", "Top", "Width", "Height")]
            if box is not None
            else [c for p in polygon or [] for c in (p.get("X", 0.0), p.get("Y", 0.0))]
        )
        if any(not 0.0 <= float(v) <= 1.0 for v in values):
            raise InvalidParameterException(
                f"RegionsOfInterest[{i}]: coordinates are ratios of the frame, between 0 and 1."
            )
        if polygon is not None and len(polygon) < 3:
            raise InvalidParameterException(f"RegionsOfInterest[{i}].Polygon needs at least 3 points.")
        if box is not None and (float(box.get("Width", 0.0)) <= 0 or float(box.get("Height", 0.0)) <= 0):
            raise InvalidParameterException(f"RegionsOfInterest[{i}].BoundingBox needs Width and Height.")


def _check_connected_home(home: dict[str, Any]) -> None:
    labels = list(home.get("Labels") or [])
    unknown = sorted(set(labels) - VALID_LABELS)
    if unknown:
        raise InvalidParameterException(
            f"Settings.ConnectedHome.Labels: {', '.join(unknown)} is not one of PERSON, PET, PACKAGE, ALL."
        )


def _check_definition(ctx: ServiceContext, definition: dict[str, Any]) -> None:
    """What the model cannot check: which settings go with which outputs, and the stream mapping."""
    settings = definition.get("Settings") or {}
    output = definition.get("Output") or {}
    if ("FaceSearch" in settings) == ("ConnectedHome" in settings):
        raise InvalidParameterException("Settings: give exactly one of FaceSearch and ConnectedHome.")
    if "FaceSearch" in settings:
        if not settings["FaceSearch"].get("CollectionId"):
            raise InvalidParameterException("Settings.FaceSearch.CollectionId is required.")
        if not (output.get("KinesisDataStream") or {}).get("Arn"):
            raise InvalidParameterException(
                "Output.KinesisDataStream.Arn is required for a face search stream processor."
            )
        if definition.get("RegionsOfInterest"):
            raise InvalidParameterException(
                "RegionsOfInterest is only for label detection (ConnectedHome) stream processors."
            )
    else:
        _check_connected_home(settings["ConnectedHome"])
        if not (output.get("S3Destination") or {}).get("Bucket"):
            raise InvalidParameterException(
                "Output.S3Destination.Bucket is required for a label detection (ConnectedHome) stream "
                "processor."
            )
    _check_regions(list(definition.get("RegionsOfInterest") or []))
    stream_arn = str((definition.get("Input") or {}).get("KinesisVideoStream", {}).get("Arn") or "")
    if not stream_arn:
        raise InvalidParameterException("Input.KinesisVideoStream.Arn is required.")
    if source_url(ctx.settings.stream_sources, stream_arn) is None:
        raise InvalidParameterException(
            f"The stream {stream_arn} is not mapped to a video source: add its ARN or stream name to "
            "VIDREK_STREAM_SOURCES."
        )


def create_stream_processor(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    definition = {k: params[k] for k in _DEFINITION_MEMBERS if k in params}
    _check_definition(ctx, definition)
    tags = creation_tags(params)
    record = _store(ctx).create(params["Name"], definition)
    save_creation_tags(ctx, record.arn, tags)
    return {"StreamProcessorArn": record.arn}


def describe_stream_processor(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    record = _store(ctx).get(params["Name"])
    response: dict[str, Any] = {
        "Name": record.name,
        "StreamProcessorArn": record.arn,
        "Status": record.status.value,
        "CreationTimestamp": record.created,
        "LastUpdateTimestamp": record.updated,
    }
    if record.status_message:
        response["StatusMessage"] = record.status_message
    response.update({k: v for k, v in record.definition.items() if k != "Tags"})
    return response


def list_stream_processors(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    limit = min(int(params.get("MaxResults") or MAX_PAGE_SIZE), MAX_PAGE_SIZE)
    offset = 0
    token = params.get("NextToken")
    if token:
        offset = ctx.page_tokens.decode(token, job_id=_LIST_SCOPE[0], view=_LIST_SCOPE[1]).offset
    records, more = _store(ctx).page(offset, limit)
    response: dict[str, Any] = {
        "StreamProcessors": [{"Name": r.name, "Status": r.status.value} for r in records]
    }
    if more:
        response["NextToken"] = ctx.page_tokens.encode(
            PagePosition(job_id=_LIST_SCOPE[0], view=_LIST_SCOPE[1], offset=offset + limit)
        )
    return response


def start_stream_processor(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    record = _store(ctx).get(name)
    start_request: dict[str, Any] = {k: params[k] for k in ("StartSelector", "StopSelector") if k in params}
    if not record.is_face_search and "MaxDurationInSeconds" not in (params.get("StopSelector") or {}):
        # AWS: label detection sessions need a stop selector; its documented default is 10 s.
        start_request["StopSelector"] = {"MaxDurationInSeconds": 10}
    started = _store(ctx).start(name, start_request)
    return {"SessionId": started.session_id}


def stop_stream_processor(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    _store(ctx).request_stop(params["Name"])
    return {}


def update_stream_processor(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    record = _store(ctx).get(name)
    definition = dict(record.definition)
    home_update = (params.get("SettingsForUpdate") or {}).get("ConnectedHomeForUpdate")
    to_delete = set(params.get("ParametersToDelete") or [])
    if record.is_face_search and (home_update or "ConnectedHomeMinConfidence" in to_delete):
        raise InvalidParameterException(
            "SettingsForUpdate.ConnectedHomeForUpdate applies to label detection (ConnectedHome) stream "
            "processors; this one searches faces."
        )
    if home_update or "ConnectedHomeMinConfidence" in to_delete:
        home = dict(definition["Settings"]["ConnectedHome"])
        home.update(home_update or {})
        if "ConnectedHomeMinConfidence" in to_delete:
            home.pop("MinConfidence", None)
        _check_connected_home(home)
        definition["Settings"] = {"ConnectedHome": home}
    if "RegionsOfInterestForUpdate" in params:
        if record.is_face_search:
            raise InvalidParameterException(
                "RegionsOfInterest is only for label detection (ConnectedHome) stream processors."
            )
        _check_regions(list(params["RegionsOfInterestForUpdate"]))
        definition["RegionsOfInterest"] = params["RegionsOfInterestForUpdate"]
    if "RegionsOfInterest" in to_delete:
        definition.pop("RegionsOfInterest", None)
    if "DataSharingPreferenceForUpdate" in params:
        definition["DataSharingPreference"] = params["DataSharingPreferenceForUpdate"]
    _store(ctx).update_definition(name, definition)
    return {}


def delete_stream_processor(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    _store(ctx).delete(params["Name"])
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateStreamProcessor": create_stream_processor,
    "DescribeStreamProcessor": describe_stream_processor,
    "ListStreamProcessors": list_stream_processors,
    "StartStreamProcessor": start_stream_processor,
    "StopStreamProcessor": stop_stream_processor,
    "UpdateStreamProcessor": update_stream_processor,
    "DeleteStreamProcessor": delete_stream_processor,
}
