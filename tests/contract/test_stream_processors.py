"""Stream processor definitions and their errors, with no worker (moved here from
tests/integration/test_stream_processors.py, which keeps the live-stream sessions)."""

from __future__ import annotations

from typing import Any

from tests.contract.conftest import BUCKET, STREAM_ARN, UNMAPPED_STREAM_ARN
from tests.contract.wire import refused, unique

ROLE = "arn:aws:iam::123456789012:role/rekognition"
OUTPUT_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/faces-out"
FACE_SEARCH: dict[str, Any] = {
    "Input": {"KinesisVideoStream": {"Arn": STREAM_ARN}},
    "Output": {"KinesisDataStream": {"Arn": OUTPUT_ARN}},
    "Settings": {"FaceSearch": {"CollectionId": "nobody", "FaceMatchThreshold": 85}},
    "RoleArn": ROLE,
}
CONNECTED_HOME: dict[str, Any] = {
    "Input": {"KinesisVideoStream": {"Arn": STREAM_ARN}},
    "Output": {"S3Destination": {"Bucket": BUCKET, "KeyPrefix": "p"}},
    "Settings": {"ConnectedHome": {"Labels": ["PERSON"], "MinConfidence": 60}},
    "RoleArn": ROLE,
}


def test_definitions_and_errors(rek: Any) -> None:
    name_a, name_b = unique("def-a"), unique("def-b")
    arn = rek.create_stream_processor(Name=name_a, **FACE_SEARCH)["StreamProcessorArn"]
    assert arn.endswith(f":streamprocessor/{name_a}")
    with refused(rek, "ResourceInUseException"):
        rek.create_stream_processor(Name=name_a, **FACE_SEARCH)
    unmapped = {**FACE_SEARCH, "Input": {"KinesisVideoStream": {"Arn": UNMAPPED_STREAM_ARN}}}
    with refused(rek, "InvalidParameterException", match="VIDREK_STREAM_SOURCES"):
        rek.create_stream_processor(Name=name_b, **unmapped)
    with refused(rek, "InvalidParameterException", match="PERSON, PET, PACKAGE"):
        rek.create_stream_processor(
            Name=name_b, **{**CONNECTED_HOME, "Settings": {"ConnectedHome": {"Labels": ["CAR"]}}}
        )
    with refused(rek, "InvalidParameterException", match="KinesisDataStream"):
        rek.create_stream_processor(
            Name=name_b, **{**FACE_SEARCH, "Output": {"S3Destination": {"Bucket": BUCKET}}}
        )
    with refused(rek, "InvalidParameterException", match="S3Destination"):
        rek.create_stream_processor(
            Name=name_b, **{**CONNECTED_HOME, "Output": {"KinesisDataStream": {"Arn": OUTPUT_ARN}}}
        )
    with refused(rek, "InvalidParameterException"):
        rek.create_stream_processor(
            Name=name_b,
            **{**FACE_SEARCH, "Settings": {**FACE_SEARCH["Settings"], **CONNECTED_HOME["Settings"]}},
        )
    with refused(rek, "ResourceNotFoundException"):
        rek.describe_stream_processor(Name=name_b)  # nothing was created by the refused requests
    rek.create_stream_processor(
        Name=name_b,
        **CONNECTED_HOME,
        RegionsOfInterest=[{"BoundingBox": {"Left": 0, "Top": 0, "Width": 1, "Height": 1}}],
    )

    described = rek.describe_stream_processor(Name=name_a)
    assert described["Status"] == "STOPPED"
    assert described["StreamProcessorArn"] == arn
    assert described["Settings"]["FaceSearch"] == {"CollectionId": "nobody", "FaceMatchThreshold": 85.0}
    assert described["CreationTimestamp"].year >= 2024

    rek.update_stream_processor(
        Name=name_b,
        SettingsForUpdate={"ConnectedHomeForUpdate": {"Labels": ["PERSON", "PET"]}},
        ParametersToDelete=["RegionsOfInterest"],
    )
    updated = rek.describe_stream_processor(Name=name_b)
    assert updated["Settings"]["ConnectedHome"] == {"Labels": ["PERSON", "PET"], "MinConfidence": 60.0}
    assert "RegionsOfInterest" not in updated
    with refused(rek, "InvalidParameterException"):
        rek.update_stream_processor(
            Name=name_a, SettingsForUpdate={"ConnectedHomeForUpdate": {"MinConfidence": 10}}
        )

    first = rek.list_stream_processors(MaxResults=1)
    assert len(first["StreamProcessors"]) == 1 and "NextToken" in first
    names = [p["Name"] for p in first["StreamProcessors"]]
    token = first["NextToken"]
    while token:
        page = rek.list_stream_processors(MaxResults=1, NextToken=token)
        names += [p["Name"] for p in page["StreamProcessors"]]
        token = page.get("NextToken")
    assert {name_a, name_b} <= set(names) and names == sorted(names)

    with refused(rek, "ResourceInUseException"):
        rek.stop_stream_processor(Name=name_a)  # not running
    for name in (name_a, name_b):
        rek.delete_stream_processor(Name=name)
    with refused(rek, "ResourceNotFoundException"):
        rek.describe_stream_processor(Name=name_a)
    with refused(rek, "ResourceNotFoundException"):
        rek.start_stream_processor(Name=name_a)


def test_every_operation_on_an_unknown_processor_is_resource_not_found(rek: Any) -> None:
    name = unique("nobody")
    for call, extra in (
        (rek.describe_stream_processor, {}),
        (rek.start_stream_processor, {}),
        (rek.stop_stream_processor, {}),
        (rek.delete_stream_processor, {}),
        (rek.update_stream_processor, {"ParametersToDelete": ["RegionsOfInterest"]}),
    ):
        with refused(rek, "ResourceNotFoundException"):
            call(Name=name, **extra)


def test_a_started_processor_cannot_be_started_updated_or_deleted(rek: Any) -> None:
    """No worker runs here, so the session never starts: the processor stays in its starting state."""
    name = unique("started")
    rek.create_stream_processor(Name=name, **CONNECTED_HOME)
    assert rek.start_stream_processor(Name=name)["SessionId"]
    assert rek.describe_stream_processor(Name=name)["Status"] in ("STARTING", "RUNNING")
    with refused(rek, "ResourceInUseException"):
        rek.start_stream_processor(Name=name)
    with refused(rek, "ResourceInUseException"):
        rek.update_stream_processor(Name=name, ParametersToDelete=["RegionsOfInterest"])
    with refused(rek, "ResourceInUseException"):
        rek.delete_stream_processor(Name=name)
    rek.stop_stream_processor(Name=name)
    assert rek.describe_stream_processor(Name=name)["Status"] in ("STOPPING", "STOPPED")


def test_list_stream_processors_refuses_foreign_tokens(rek: Any) -> None:
    for name in (unique("listed"), unique("listed")):
        rek.create_stream_processor(Name=name, **CONNECTED_HOME)
        rek.create_collection(CollectionId=name)
    collections_token = rek.list_collections(MaxResults=1)["NextToken"]
    for bad in ("not-a-token", collections_token):
        with refused(rek, "InvalidPaginationTokenException"):
            rek.list_stream_processors(NextToken=bad)
    everything = rek.list_stream_processors()
    assert "NextToken" not in everything and len(everything["StreamProcessors"]) >= 2
