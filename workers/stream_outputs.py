"""Where stream processors write: Redis Streams (for Kinesis data streams), the S3 destination, SNS.

* :class:`KinesisRecordWriter`: ``XADD <keys.kinesis_data_stream(arn)> MAXLEN ~ N * data <record JSON>``;
  read with ``XREAD``/``XRANGE`` and ``json.loads(fields["data"])``.
* :class:`ObjectWriter`: the S3 destination; a local bucket (``VIDREK_LOCAL_BUCKETS``) is a folder, any
  other bucket is written through boto3 with the ``VIDREK_S3_*`` settings.
* :func:`publish_event`: the NotificationChannel, through the job notifications' SNS publisher.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path, PurePosixPath
from typing import Any

import redis

from pipelines.errors import VidrekError
from workers import keys
from workers.notifications.senders import publish_to_sns
from workers.settings import Settings
from workers.sources import SAMPLES_BUCKET, _make_s3_client

log = logging.getLogger(__name__)


class OutputError(VidrekError):
    """An output could not be written (the message says where and why)."""


class KinesisRecordWriter:
    def __init__(self, client: redis.Redis, stream_arn: str, max_records: int) -> None:
        self._redis = client
        self.key = keys.kinesis_data_stream(stream_arn)
        self._max = max_records

    def add(self, record: dict[str, Any]) -> str:
        return str(
            self._redis.xadd(self.key, {"data": json.dumps(record)}, maxlen=self._max, approximate=True)
        )


class ObjectWriter:
    """Writes objects to one S3 destination bucket (local folder or S3)."""

    def __init__(self, settings: Settings, bucket: str) -> None:
        self.bucket = bucket
        self._root: Path | None = settings.local_buckets.get(bucket)
        if bucket == SAMPLES_BUCKET and self._root is None:
            raise OutputError("The samples bucket is read-only; choose another S3Destination bucket.")
        self._settings = settings

    def put(self, key: str, body: bytes, content_type: str) -> str:
        """Store ``body`` under ``key``; return its ``s3://bucket/key`` URI."""
        if self._root is not None:
            pure = PurePosixPath(key)
            if pure.is_absolute() or ".." in pure.parts:
                raise OutputError(f"The key {key!r} is not allowed in a local bucket.")
            path = self._root / pure
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + ".part")
                tmp.write_bytes(body)
                os.replace(tmp, path)
            except OSError as err:
                raise OutputError(f"Cannot write s3://{self.bucket}/{key} ({path}): {err.strerror}") from err
        else:
            try:
                _make_s3_client(self._settings).put_object(
                    Bucket=self.bucket, Key=key, Body=body, ContentType=content_type
                )
            except Exception as err:  # botocore's errors, endpoint unreachable ...
                raise OutputError(f"Cannot write s3://{self.bucket}/{key}: {err}") from err
        return f"s3://{self.bucket}/{key}"


def publish_event(settings: Settings, topic_arn: str, message: dict[str, Any], event_id: str) -> bool:
    """Publish a stream processor event to SNS; failures are logged, never raised (best effort)."""
    outcome = publish_to_sns(settings, topic_arn, json.dumps(message), event_id)
    if not outcome.ok:
        log.warning("stream processor event %s to %s not published: %s", event_id, topic_arn, outcome.detail)
    return outcome.ok
