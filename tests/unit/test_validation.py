"""The server-side request checks boto3 leaves to the service (max, enums, patterns) and the ones it does."""

from __future__ import annotations

import base64
import copy
import re
import sys
import unicodedata
from typing import Any

import botocore.model
import pytest

from api.errors import InvalidParameterException, SerializationException, UnknownOperationException
from api.model_patterns import compile_model_pattern, translate_java_pattern
from api.service_model import operation_model, operation_names, service_model
from api.validation import (
    Constraint,
    InvalidParametersError,
    RequestValidator,
    Violation,
    decode_blob,
    request_validator,
)

#: The StartLabelDetection body boto3 1.44 sent in the captured request (docs/rekognition-api.md §2.1).
BOTO3_START_LABEL_DETECTION: dict[str, Any] = {
    "Video": {"S3Object": {"Bucket": "my-bucket", "Name": "videos/clip.mp4"}},
    "ClientRequestToken": "tok-1",
    "MinConfidence": 70.0,
    "NotificationChannel": {
        "SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic",
        "RoleArn": "arn:aws:iam::123456789012:role/RekRole",
    },
    "JobTag": "tag1",
    "Features": ["GENERAL_LABELS"],
    "Settings": {"GeneralLabels": {"LabelInclusionFilters": ["Person"]}},
}
BOTO3_GET_LABEL_DETECTION: dict[str, Any] = {
    "JobId": "0e2b7a54-8c1e-4b8e-9a3a-1f0d7c9e2b11",
    "MaxResults": 10,
    "SortBy": "TIMESTAMP",
    "AggregateBy": "TIMESTAMPS",
}


def _violations(operation: str, params: object) -> list[tuple[str, Constraint]]:
    return [(v.path, v.constraint) for v in request_validator().violations(operation, params)]


def _start(**changes: Any) -> dict[str, Any]:
    """The captured StartLabelDetection body with top-level members replaced (``None`` removes one)."""
    params = copy.deepcopy(BOTO3_START_LABEL_DETECTION)
    for name, value in changes.items():
        if value is None:
            params.pop(name)
        else:
            params[name] = value
    return params


def _get(**changes: Any) -> dict[str, Any]:
    params = dict(BOTO3_GET_LABEL_DETECTION)
    params.update(changes)
    return params


def _model_patterns() -> list[str]:
    model = service_model()
    return sorted(
        {
            model.shape_for(name).metadata["pattern"]
            for name in model.shape_names
            if "pattern" in model.shape_for(name).metadata
        }
    )


# --- what boto3 sends is accepted ---------------------------------------------------------------------


def test_requests_boto3_sends_are_accepted() -> None:
    validator = request_validator()
    validator.validate("StartLabelDetection", BOTO3_START_LABEL_DETECTION)
    validator.validate("GetLabelDetection", BOTO3_GET_LABEL_DETECTION)
    validator.validate("StartLabelDetection", {"Video": {"S3Object": {"Bucket": "b-1", "Name": "a.mp4"}}})
    validator.validate("GetLabelDetection", {"JobId": "j"})
    validator.validate("ListCollections", {})


def test_first_page_token_is_the_empty_string() -> None:
    assert _violations("GetLabelDetection", _get(NextToken="")) == []
    assert _violations("GetLabelDetection", _get(NextToken="t" * 255)) == []
    assert _violations("GetLabelDetection", _get(NextToken="t" * 256)) == [("NextToken", Constraint.MAX)]


def test_max_results_above_1000_is_left_to_the_server_to_clamp() -> None:
    assert _violations("GetLabelDetection", _get(MaxResults=5000)) == []
    assert _violations("GetLabelDetection", _get(MaxResults=1)) == []
    assert _violations("GetLabelDetection", _get(MaxResults=0)) == [("MaxResults", Constraint.MIN)]
    assert _violations("GetLabelDetection", _get(MaxResults=-3)) == [("MaxResults", Constraint.MIN)]


def test_integers_must_be_json_integers_of_the_right_width() -> None:
    for bad in (10.0, "10", True, None, 2**31, [10]):
        assert _violations("GetLabelDetection", _get(MaxResults=bad)) == [("MaxResults", Constraint.TYPE)], (
            bad
        )
    assert _violations("GetLabelDetection", _get(MaxResults=2**31 - 1)) == []


def test_enums_are_checked() -> None:
    assert _violations("GetLabelDetection", _get(SortBy="NAME", AggregateBy="SEGMENTS")) == []
    assert _violations("GetLabelDetection", _get(SortBy="BOGUS")) == [("SortBy", Constraint.ENUM)]
    assert _violations("GetLabelDetection", _get(SortBy="name")) == [("SortBy", Constraint.ENUM)]
    assert _violations("GetLabelDetection", _get(AggregateBy="")) == [("AggregateBy", Constraint.ENUM)]
    assert _violations("StartLabelDetection", _start(Features=["BOGUS"])) == [
        ("Features[0]", Constraint.ENUM)
    ]


def test_job_id_length_and_pattern() -> None:
    assert _violations("GetLabelDetection", _get(JobId="j" * 64)) == []
    assert _violations("GetLabelDetection", _get(JobId="j" * 65)) == [("JobId", Constraint.MAX)]
    assert _violations("GetLabelDetection", _get(JobId="")) == [
        ("JobId", Constraint.MIN),
        ("JobId", Constraint.PATTERN),
    ]
    assert _violations("GetLabelDetection", _get(JobId="../etc")) == [("JobId", Constraint.PATTERN)]
    # Whole-value match, as AWS's Java validators do: a valid prefix does not save a bad tail.
    assert _violations("GetLabelDetection", _get(JobId="abc\n")) == [("JobId", Constraint.PATTERN)]


def test_job_tag_pattern() -> None:
    assert _violations("StartLabelDetection", _start(JobTag="batch-7:cam/2+x=y.z_")) == []
    assert _violations("StartLabelDetection", _start(JobTag="my tag")) == [("JobTag", Constraint.PATTERN)]
    assert _violations("StartLabelDetection", _start(JobTag="t" * 1025)) == [("JobTag", Constraint.MAX)]


def test_client_request_token_pattern() -> None:
    assert _violations("StartLabelDetection", _start(ClientRequestToken="a-B_9")) == []
    assert _violations("StartLabelDetection", _start(ClientRequestToken="tok 1")) == [
        ("ClientRequestToken", Constraint.PATTERN)
    ]
    assert _violations("StartLabelDetection", _start(ClientRequestToken="t" * 65)) == [
        ("ClientRequestToken", Constraint.MAX)
    ]


@pytest.mark.parametrize(
    ("arn", "ok"),
    [
        ("arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic", True),
        ("arn:aws:sns:eu-west-1:123456789012:a", True),
        ("arn:aws:sqs:us-east-1:123456789012:queue", False),
        ("arn:aws:sns:us-east-1:12345678901:topic", False),
        ("arn:aws:sns:us-east-1:123456789012:", False),
        ("http://example.com/hook", False),
        # Java's \w is ASCII-only: Arabic-Indic digits are not an account id.
        ("arn:aws:sns:us-east-1:" + "\u0661" * 12 + ":topic", False),
    ],
)
def test_notification_channel_topic_arn_pattern(arn: str, ok: bool) -> None:
    channel = dict(BOTO3_START_LABEL_DETECTION["NotificationChannel"], SNSTopicArn=arn)
    expected = [] if ok else [("NotificationChannel.SNSTopicArn", Constraint.PATTERN)]
    assert _violations("StartLabelDetection", _start(NotificationChannel=channel)) == expected


def test_required_members_are_required_at_every_depth() -> None:
    assert _violations("StartLabelDetection", _start(Video=None)) == [("Video", Constraint.REQUIRED)]
    channel = {"SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:t"}
    assert _violations("StartLabelDetection", _start(NotificationChannel=channel)) == [
        ("NotificationChannel.RoleArn", Constraint.REQUIRED)
    ]
    assert _violations("GetLabelDetection", {}) == [("JobId", Constraint.REQUIRED)]
    assert _violations("GetLabelDetection", {"JobId": None}) == [("JobId", Constraint.REQUIRED)]


def test_null_optional_members_are_rejected() -> None:
    assert _violations("GetLabelDetection", _get(NextToken=None)) == [("NextToken", Constraint.TYPE)]


def test_unknown_members_are_rejected_with_their_path() -> None:
    assert _violations("GetLabelDetection", _get(MaxResult=10)) == [("MaxResult", Constraint.UNKNOWN_MEMBER)]
    settings = {"GeneralLabels": {"LabelIncludeFilters": ["Person"]}}
    assert _violations("StartLabelDetection", _start(Settings=settings)) == [
        ("Settings.GeneralLabels.LabelIncludeFilters", Constraint.UNKNOWN_MEMBER)
    ]


def test_strings_lists_and_structures_must_have_their_json_type() -> None:
    assert _violations("GetLabelDetection", _get(JobId=123)) == [("JobId", Constraint.TYPE)]
    assert _violations("StartLabelDetection", _start(Features="GENERAL_LABELS")) == [
        ("Features", Constraint.TYPE)
    ]
    assert _violations("StartLabelDetection", _start(Video=["s3://b/k"])) == [("Video", Constraint.TYPE)]


def test_float_members_take_finite_numbers_in_range() -> None:
    assert _violations("StartLabelDetection", _start(MinConfidence=70)) == []
    assert _violations("StartLabelDetection", _start(MinConfidence=0)) == []
    assert _violations("StartLabelDetection", _start(MinConfidence=100.0)) == []
    assert _violations("StartLabelDetection", _start(MinConfidence=100.5)) == [
        ("MinConfidence", Constraint.MAX)
    ]
    assert _violations("StartLabelDetection", _start(MinConfidence=-0.1)) == [
        ("MinConfidence", Constraint.MIN)
    ]
    for bad in ("70", True, float("nan"), float("inf")):
        assert _violations("StartLabelDetection", _start(MinConfidence=bad)) == [
            ("MinConfidence", Constraint.TYPE)
        ], bad


def test_label_filters_list_length_item_length_and_pattern() -> None:
    def filters(values: list[Any]) -> dict[str, Any]:
        return {"GeneralLabels": {"LabelInclusionFilters": values}}

    assert (
        _violations("StartLabelDetection", _start(Settings=filters(["Person", "Bicycle", "Car (vehicle)"])))
        == []
    )
    assert _violations("StartLabelDetection", _start(Settings=filters([]))) == []
    assert _violations("StartLabelDetection", _start(Settings=filters(["x"] * 101))) == [
        ("Settings.GeneralLabels.LabelInclusionFilters", Constraint.MAX)
    ]
    assert _violations("StartLabelDetection", _start(Settings=filters(["Person", "p" * 51]))) == [
        ("Settings.GeneralLabels.LabelInclusionFilters[1]", Constraint.MAX)
    ]
    assert _violations("StartLabelDetection", _start(Settings=filters(["Per$on"]))) == [
        ("Settings.GeneralLabels.LabelInclusionFilters[0]", Constraint.PATTERN)
    ]
    assert _violations("StartLabelDetection", _start(Settings=filters([7]))) == [
        ("Settings.GeneralLabels.LabelInclusionFilters[0]", Constraint.TYPE)
    ]
    assert _violations("StartLabelDetection", _start(Features=["GENERAL_LABELS"] * 2)) == [
        ("Features", Constraint.MAX)
    ]


def test_s3_object_constraints() -> None:
    video = {"S3Object": {"Bucket": "ab", "Name": "", "Version": "v" * 1025}}
    assert _violations("StartLabelDetection", _start(Video=video)) == [
        ("Video.S3Object.Bucket", Constraint.MIN),
        ("Video.S3Object.Name", Constraint.MIN),
        ("Video.S3Object.Version", Constraint.MAX),
    ]
    video = {"S3Object": {"Bucket": "my bucket", "Name": "a.mp4"}}
    assert _violations("StartLabelDetection", _start(Video=video)) == [
        ("Video.S3Object.Bucket", Constraint.PATTERN)
    ]


def test_a_lone_surrogate_is_no_text_in_any_string_member() -> None:
    video = {"S3Object": {"Bucket": "my-bucket", "Name": "clip\ud800.mp4"}}
    channel = {
        "SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:t\udfff",
        "RoleArn": "arn:aws:iam::1:role/R",
    }
    found = request_validator().violations(
        "StartLabelDetection", _start(Video=video, NotificationChannel=channel)
    )
    assert [(v.path, v.constraint) for v in found][:2] == [
        ("Video.S3Object.Name", Constraint.ENCODING),
        ("NotificationChannel.SNSTopicArn", Constraint.ENCODING),
    ]
    with pytest.raises(InvalidParametersError) as caught:
        request_validator().validate("StartLabelDetection", _start(Video=video))
    # The message can be logged and shown: the surrogate is spelt as an escape.
    assert "clip\\ud800.mp4" in caught.value.message
    caught.value.message.encode("utf-8")
    # Paired surrogates are ordinary (astral) characters.
    assert not _violations(
        "StartLabelDetection",
        _start(JobTag=None, Video={"S3Object": {"Bucket": "b-1", "Name": "\U0001f600"}}),
    )


# --- collections, images and blobs --------------------------------------------------------------------


def test_create_collection_id_and_tags() -> None:
    assert _violations("CreateCollection", {"CollectionId": "my.faces-1_a"}) == []
    assert _violations("CreateCollection", {"CollectionId": "my faces"}) == [
        ("CollectionId", Constraint.PATTERN)
    ]
    assert _violations("CreateCollection", {"CollectionId": "c" * 256}) == [("CollectionId", Constraint.MAX)]
    tags = {"team": "vision", "café": "münchen 1", "empty": ""}
    assert _violations("CreateCollection", {"CollectionId": "c", "Tags": tags}) == []
    assert _violations("CreateCollection", {"CollectionId": "c", "Tags": {"aws:owner": "x"}}) == [
        ("Tags[aws:owner] (key)", Constraint.PATTERN)
    ]
    assert _violations("CreateCollection", {"CollectionId": "c", "Tags": {"a#b": "x"}}) == [
        ("Tags[a#b] (key)", Constraint.PATTERN)
    ]
    assert _violations("CreateCollection", {"CollectionId": "c", "Tags": {"n": 1}}) == [
        ("Tags[n]", Constraint.TYPE)
    ]
    assert _violations("CreateCollection", {"CollectionId": "c", "Tags": {"": "x"}}) == [
        ("Tags[] (key)", Constraint.MIN)
    ]
    many = {f"k{i}": "v" for i in range(201)}
    assert _violations("CreateCollection", {"CollectionId": "c", "Tags": many}) == [("Tags", Constraint.MAX)]


def test_detect_labels_image_bytes_must_be_base64_of_1_byte_to_5_mib() -> None:
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    encoded = base64.b64encode(jpeg).decode()
    assert _violations("DetectLabels", {"Image": {"Bytes": encoded}, "MaxLabels": 5}) == []
    assert decode_blob(encoded) == jpeg
    assert _violations("DetectLabels", {"Image": {"Bytes": "abc"}}) == [("Image.Bytes", Constraint.ENCODING)]
    assert _violations("DetectLabels", {"Image": {"Bytes": "ab$="}}) == [("Image.Bytes", Constraint.ENCODING)]
    assert _violations("DetectLabels", {"Image": {"Bytes": ""}}) == [("Image.Bytes", Constraint.MIN)]
    assert _violations("DetectLabels", {"Image": {"Bytes": 12}}) == [("Image.Bytes", Constraint.TYPE)]
    exactly_max = base64.b64encode(bytes(5_242_880)).decode()
    assert _violations("DetectLabels", {"Image": {"Bytes": exactly_max}}) == []
    too_big = base64.b64encode(bytes(5_242_881)).decode()
    found = request_validator().violations("DetectLabels", {"Image": {"Bytes": too_big}})
    assert [(v.path, v.constraint, v.shape) for v in found] == [("Image.Bytes", Constraint.MAX, "ImageBlob")]
    # The message never echoes image bytes.
    assert too_big[:20] not in found[0].message


def test_detect_labels_numbers_and_enums() -> None:
    image = {"S3Object": {"Bucket": "bkt", "Name": "dog.jpg"}}
    assert (
        _violations("DetectLabels", {"Image": image, "MaxLabels": 0, "Features": ["IMAGE_PROPERTIES"]}) == []
    )
    assert _violations("DetectLabels", {"Image": image, "MaxLabels": -1}) == [("MaxLabels", Constraint.MIN)]
    assert _violations("DetectLabels", {"Image": image, "Features": ["COLORS"]}) == [
        ("Features[0]", Constraint.ENUM)
    ]
    assert _violations("DetectLabels", {}) == [("Image", Constraint.REQUIRED)]


def test_index_faces() -> None:
    image = {"S3Object": {"Bucket": "bkt", "Name": "faces/a.jpg"}}
    ok = {
        "CollectionId": "faces",
        "Image": image,
        "ExternalImageId": "person:1",
        "MaxFaces": 1,
        "QualityFilter": "AUTO",
        "DetectionAttributes": ["ALL"],
    }
    assert _violations("IndexFaces", ok) == []
    assert sorted(_violations("IndexFaces", {})) == [
        ("CollectionId", Constraint.REQUIRED),
        ("Image", Constraint.REQUIRED),
    ]
    assert _violations("IndexFaces", dict(ok, MaxFaces=0)) == [("MaxFaces", Constraint.MIN)]
    assert _violations("IndexFaces", dict(ok, QualityFilter="BEST")) == [("QualityFilter", Constraint.ENUM)]
    assert _violations("IndexFaces", dict(ok, DetectionAttributes=["ALL", "EYES"])) == [
        ("DetectionAttributes[1]", Constraint.ENUM)
    ]
    assert _violations("IndexFaces", dict(ok, ExternalImageId="person 1")) == [
        ("ExternalImageId", Constraint.PATTERN)
    ]


# --- the error a client receives -------------------------------------------------------------------


def test_validate_raises_invalid_parameter_exception_in_aws_style() -> None:
    with pytest.raises(InvalidParameterException) as caught:
        request_validator().validate("GetLabelDetection", _get(MaxResults=0))
    err = caught.value
    assert err.code == "InvalidParameterException"
    assert isinstance(err, InvalidParametersError)
    assert err.message == (
        "1 validation error detected: Value '0' at 'MaxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )
    assert err.violations == (
        Violation("MaxResults", Constraint.MIN, "MaxResults", err.message.split(": ", 1)[1]),
    )


def test_message_names_every_problem_up_to_ten() -> None:
    with pytest.raises(InvalidParametersError) as caught:
        request_validator().validate("GetLabelDetection", {"SortBy": "BOGUS", "JobId": "j j"})
    assert caught.value.message.startswith("2 validation errors detected: ")
    assert (
        "at 'SortBy' failed to satisfy constraint: Member must satisfy enum value set: [NAME, TIMESTAMP]"
        in (caught.value.message)
    )
    assert "Value 'j j' at 'JobId' failed to satisfy constraint: Member must satisfy regular expression" in (
        caught.value.message
    )
    many = {"JobId": "j", **{f"Extra{i}": i for i in range(12)}}
    with pytest.raises(InvalidParametersError) as caught:
        request_validator().validate("GetLabelDetection", many)
    assert len(caught.value.violations) == 12
    assert caught.value.message.startswith("12 validation errors detected: ")
    assert caught.value.message.endswith("; and 2 more")


def test_a_body_that_is_not_an_object_is_a_serialization_error() -> None:
    bodies: list[object] = [[], "x", 3, None]
    for body in bodies:
        with pytest.raises(SerializationException):
            request_validator().validate("GetLabelDetection", body)
    assert _violations("GetLabelDetection", []) == [("$", Constraint.TYPE)]


def test_unknown_operation() -> None:
    with pytest.raises(UnknownOperationException):
        request_validator().validate("DetectDragons", {})


# --- the whole model -----------------------------------------------------------------------------


def test_every_operation_validates_an_empty_body_with_only_required_member_errors() -> None:
    validator = RequestValidator()
    validator.warm()
    names = sorted(operation_names())
    assert len(names) >= 75
    for name in names:
        input_shape = operation_model(name).input_shape
        assert input_shape is not None
        found = validator.violations(name, {})
        assert sorted(v.path for v in found) == sorted(input_shape.required_members), name
        assert {v.constraint for v in found} <= {Constraint.REQUIRED}, name


def test_every_model_pattern_compiles_with_python_re() -> None:
    patterns = _model_patterns()
    assert len(patterns) >= 30
    for pattern in patterns:
        compiled = compile_model_pattern(pattern)
        assert compiled.flags & re.ASCII, pattern


def test_unicode_category_escapes_become_ranges() -> None:
    tag_key = compile_model_pattern(r"^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")
    for ok in ("team", "Café au lait", "東京", "x\u00a0y", "٣", "a_b.c:d/e=f+g-h@i", ""):
        assert tag_key.fullmatch(ok), ok
    for bad in ("aws:x", "a#b", "tab\there", "emoji😀", "new\nline"):
        assert tag_key.fullmatch(bad) is None, bad
    assert compile_model_pattern(r"\p{N}+").fullmatch("²٣7")
    separators = "".join(
        chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)).startswith("Z")
    )
    assert re.fullmatch(translate_java_pattern(r"\p{Z}+"), separators)
    with pytest.raises(ValueError):
        translate_java_pattern(r"\P{L}")
    with pytest.raises(ValueError):
        translate_java_pattern(r"\p{Alpha}")
    assert translate_java_pattern(r"[a-z\-]+") == r"[a-z\-]+"


# --- shapes the Rekognition inputs do not use (other models reuse the walker) -------------------------


def _toy_model() -> botocore.model.ServiceModel:
    return botocore.model.ServiceModel(
        {
            "metadata": {
                "protocol": "json",
                "apiVersion": "2020-01-01",
                "endpointPrefix": "toy",
                "jsonVersion": "1.1",
                "targetPrefix": "Toy",
                "serviceId": "Toy",
            },
            "operations": {
                "Put": {
                    "name": "Put",
                    "http": {"method": "POST", "requestUri": "/"},
                    "input": {"shape": "Node"},
                }
            },
            "shapes": {
                "Node": {
                    "type": "structure",
                    "members": {
                        "When": {"shape": "When"},
                        "Ratio": {"shape": "Ratio"},
                        "Flag": {"shape": "Flag"},
                        "Child": {"shape": "Node"},
                    },
                },
                "When": {"type": "timestamp"},
                "Ratio": {"type": "double", "min": 0, "max": 1},
                "Flag": {"type": "boolean"},
            },
        },
        service_name="toy",
    )


def test_timestamps_doubles_booleans_and_recursive_shapes() -> None:
    validator = RequestValidator(_toy_model())

    def found(params: dict[str, Any]) -> list[tuple[str, Constraint]]:
        return [(v.path, v.constraint) for v in validator.violations("Put", params)]

    ok = {"When": 1700000000.5, "Ratio": 1, "Flag": False, "Child": {"When": "2024-05-01T12:00:00Z"}}
    assert found(ok) == []
    assert found({"When": "yesterday"}) == [("When", Constraint.TYPE)]
    assert found({"When": True}) == [("When", Constraint.TYPE)]
    assert found({"Child": {"Child": {"Ratio": 1.5}}}) == [("Child.Child.Ratio", Constraint.MAX)]
    assert found({"Flag": "true"}) == [("Flag", Constraint.TYPE)]
    with pytest.raises(UnknownOperationException):
        validator.validate("Get", {})
