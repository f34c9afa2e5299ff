"""Which URL stands in for a Kinesis video stream: ``VIDREK_STREAM_SOURCES`` maps ARNs or names to URLs."""

from __future__ import annotations

from collections.abc import Mapping


def kinesis_stream_name(arn: str) -> str | None:
    """The stream name in ``arn:aws:kinesisvideo:<region>:<account>:stream/<name>/<creation time>``."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    parts = resource.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "stream" and parts[1] else None


def source_url(sources: Mapping[str, str], arn: str) -> str | None:
    """The URL mapped to the stream ARN itself, else to its stream name; None when neither is mapped."""
    if arn in sources:
        return sources[arn]
    name = kinesis_stream_name(arn)
    return sources.get(name) if name is not None else None
