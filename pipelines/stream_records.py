"""The one converter from stream processor results to the JSON Rekognition writes for them.

* FaceSearch: one Kinesis data stream record per analysed frame (AWS's "Kinesis face recognition JSON
  frame record"): ``InputInformation.KinesisVideo``, ``StreamProcessorInformation``, ``FaceSearchResponse``
  with ``DetectedFace`` and ``MatchedFaces``.
* ConnectedHome: the SNS messages (``LABEL_DETECTED`` for the first detection of each label in a session,
  ``STREAM_PROCESSING_COMPLETE`` at its end) and the session summary written to the S3 destination.

Kinesis fields on a stream that is not Kinesis (see :mod:`pipelines.live_stream`): ``FragmentNumber`` is
the epoch ms at which the fragment's key frame arrived (digits, increasing), ``ServerTimestamp`` that
arrival time in epoch seconds, ``ProducerTimestamp`` the key frame's pts placed on the wall clock at the
connection's first frame, ``FrameOffsetInSeconds`` the frame's pts minus the key frame's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.connected_home import HomeDetection
from pipelines.face_results import face_detail
from pipelines.live_stream import LiveFrame
from pipelines.stream_face_search import FaceSearchMatch, FrameFaceSearch

#: Members of a matched collection face in a face search record (no IndexFacesModelVersion there).
_MATCHED_FACE_MEMBERS = ("BoundingBox", "FaceId", "Confidence", "ImageId", "ExternalImageId")

#: Members of ``DetectedFace`` in a face search record.
_DETECTED_FACE_MEMBERS = ("BoundingBox", "Confidence", "Landmarks", "Pose", "Quality")


def kinesis_video_json(stream_arn: str, frame: LiveFrame) -> dict[str, Any]:
    return {
        "StreamArn": stream_arn,
        "FragmentNumber": str(frame.fragment_received_ms),
        "ServerTimestamp": frame.fragment_received_ms / 1000.0,
        "ProducerTimestamp": frame.fragment_producer_ms / 1000.0,
        "FrameOffsetInSeconds": max(0, frame.timestamp_ms - frame.fragment_start_ms) / 1000.0,
    }


def _matched_face_json(match: FaceSearchMatch) -> dict[str, Any]:
    face = match.face
    item: dict[str, Any] = {
        "BoundingBox": face.box.to_rekognition(),
        "FaceId": face.face_id,
        "Confidence": face.confidence,
        "ImageId": face.image_id,
    }
    if face.external_image_id is not None:
        item["ExternalImageId"] = face.external_image_id
    return {"Similarity": match.similarity, "Face": {k: item[k] for k in _MATCHED_FACE_MEMBERS if k in item}}


def face_search_record(
    stream_arn: str, frame: LiveFrame, faces: Sequence[FrameFaceSearch], status: str = "RUNNING"
) -> dict[str, Any]:
    """The Kinesis record of one analysed frame (``FaceSearchResponse`` is empty without faces)."""
    response = []
    for face in faces:
        detail = face_detail(face.analysis, "DEFAULT")
        response.append(
            {
                "DetectedFace": {k: detail[k] for k in _DETECTED_FACE_MEMBERS if k in detail},
                "MatchedFaces": [_matched_face_json(m) for m in face.matches],
            }
        )
    return {
        "InputInformation": {"KinesisVideo": kinesis_video_json(stream_arn, frame)},
        "StreamProcessorInformation": {"Status": status},
        "FaceSearchResponse": response,
    }


def _lower_box(detection: HomeDetection) -> dict[str, float]:
    box = detection.box
    return {"left": box.left, "top": box.top, "height": box.height, "width": box.width}


def label_detected_message(
    *,
    stream_arn: str,
    session_id: str,
    event_id: str,
    tags: dict[str, str],
    start_request: dict[str, Any],
    detection: HomeDetection,
    frame: LiveFrame,
    frame_image_uri: str,
    cropped_image_uri: str,
) -> dict[str, Any]:
    """The SNS message for the first detection of a label in a session (AWS's LABEL_DETECTED event)."""
    return {
        "inputInformation": {"kinesisVideo": {"streamArn": stream_arn}},
        "eventNamespace": {"type": "LABEL_DETECTED"},
        "labels": [
            {
                "id": event_id,
                "name": detection.label,
                "confidence": detection.confidence,
                "frameImageUri": frame_image_uri,
                "croppedImageUri": cropped_image_uri,
                "videoMapping": {
                    "kinesisVideoMapping": {
                        "fragmentNumber": str(frame.fragment_received_ms),
                        "serverTimestamp": frame.fragment_received_ms,
                        "producerTimestamp": frame.fragment_producer_ms,
                        "frameOffsetMillis": max(0, frame.timestamp_ms - frame.fragment_start_ms),
                    }
                },
                "boundingBox": _lower_box(detection),
            }
        ],
        "eventId": event_id,
        "tags": tags,
        "sessionId": session_id,
        "startStreamProcessorRequest": start_request,
    }


def session_complete_message(
    *,
    stream_arn: str,
    session_id: str,
    event_id: str,
    tags: dict[str, str],
    start_request: dict[str, Any],
    processed_ms: int,
    message: str,
) -> dict[str, Any]:
    """The end-of-session SNS message (AWS's STREAM_PROCESSING_COMPLETE event)."""
    return {
        "inputInformation": {
            "kinesisVideo": {"streamArn": stream_arn, "processedVideoDurationMillis": processed_ms}
        },
        "eventNamespace": {"type": "STREAM_PROCESSING_COMPLETE"},
        "streamProcessingResults": {"message": message},
        "eventId": event_id,
        "tags": tags,
        "sessionId": session_id,
        "startStreamProcessorRequest": start_request,
    }


def label_frame_json(frame: LiveFrame, detections: Sequence[HomeDetection]) -> dict[str, Any]:
    """One analysed frame with ConnectedHome labels, as listed in the S3 session summary."""
    return {
        "timestampMillis": frame.timestamp_ms,
        "serverTimestamp": round(frame.received * 1000),
        "fragmentNumber": str(frame.fragment_received_ms),
        "labels": [
            {"name": d.label, "confidence": d.confidence, "boundingBox": _lower_box(d)} for d in detections
        ],
    }


def session_summary_json(
    *,
    processor_name: str,
    stream_arn: str,
    session_id: str,
    status: str,
    message: str,
    processed_ms: int,
    first_detections: dict[str, str],
    frames: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """vidrek's session summary in the S3 destination (AWS does not document its own format)."""
    return {
        "streamProcessorName": processor_name,
        "sessionId": session_id,
        "streamArn": stream_arn,
        "status": status,
        "message": message,
        "processedVideoDurationMillis": processed_ms,
        "firstDetectionFrameImageUris": first_detections,
        "frames": list(frames),
    }
