"""Start* and Get* of every video operation, with no worker: jobs are created, enqueued once, and read
back IN_PROGRESS; requests that cannot start a job are refused at once and enqueue nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.contract.conftest import BUCKET
from tests.contract.job_states import JobStates
from tests.contract.wire import refused, unique

VIDEO = {"S3Object": {"Bucket": BUCKET, "Name": "clip.mp4"}}
OTHER_VIDEO = {"S3Object": {"Bucket": BUCKET, "Name": "other.mp4"}}
JOB_ID_PATTERN = re.compile(r"^[a-zA-Z0-9\-_]{1,64}$")


@dataclass(frozen=True)
class VideoOperation:
    """One Start*/Get* pair as boto3 names it."""

    start: str
    get: str
    results: str  # the Get* member listing the result items
    start_params: dict[str, Any] = field(default_factory=dict)


OPERATIONS = [
    VideoOperation("start_label_detection", "get_label_detection", "Labels"),
    VideoOperation("start_face_detection", "get_face_detection", "Faces"),
    VideoOperation("start_person_tracking", "get_person_tracking", "Persons"),
    VideoOperation("start_celebrity_recognition", "get_celebrity_recognition", "Celebrities"),
    VideoOperation("start_content_moderation", "get_content_moderation", "ModerationLabels"),
    VideoOperation("start_face_search", "get_face_search", "Persons", {"CollectionId": "<collection>"}),
    VideoOperation("start_text_detection", "get_text_detection", "TextDetections"),
    VideoOperation(
        "start_segment_detection", "get_segment_detection", "Segments", {"SegmentTypes": ["SHOT"]}
    ),
]
IDS = [op.start.removeprefix("start_") for op in OPERATIONS]


@pytest.fixture(scope="module")
def collection(rek: Any) -> str:
    """A collection for StartFaceSearch (it must exist at Start)."""
    name = unique("video-jobs")
    rek.create_collection(CollectionId=name)
    return name


def start_params(op: VideoOperation, collection: str, **extra: Any) -> dict[str, Any]:
    params = {k: (collection if v == "<collection>" else v) for k, v in op.start_params.items()}
    return {"Video": VIDEO, **params, **extra}


@contextmanager
def raw_bodies(rek: Any) -> Iterator[list[dict[str, Any]]]:
    """The raw JSON bodies boto3 receives in the block (to read members boto3 drops, like Progress)."""
    bodies: list[dict[str, Any]] = []

    def keep(http_response: Any, **_: Any) -> None:
        bodies.append(json.loads(http_response.content))

    rek.meta.events.register("after-call.rekognition", keep)
    try:
        yield bodies
    finally:
        rek.meta.events.unregister("after-call.rekognition", keep)


@pytest.mark.parametrize("op", OPERATIONS, ids=IDS)
def test_start_enqueues_one_job_that_get_reads_back_in_progress(
    rek: Any, enqueued: list[str], collection: str, op: VideoOperation
) -> None:
    tag = unique("tag")
    started = getattr(rek, op.start)(**start_params(op, collection, JobTag=tag))
    job_id = started["JobId"]
    assert JOB_ID_PATTERN.match(job_id), job_id
    assert enqueued == [job_id]

    with raw_bodies(rek) as bodies:
        page = getattr(rek, op.get)(JobId=job_id, MaxResults=10)
    assert page["JobStatus"] == "IN_PROGRESS"
    assert page["JobId"] == job_id
    assert page["JobTag"] == tag
    assert page["Video"] == VIDEO
    assert page[op.results] == []
    assert "NextToken" not in page
    # Beyond AWS (README): Progress, in percent; nothing is analysed yet.
    (raw,) = bodies
    assert raw["Progress"] == 0
    assert enqueued == [job_id]  # reading a job does not enqueue it again


@pytest.mark.parametrize("op", OPERATIONS, ids=IDS)
def test_get_of_an_unknown_job_is_resource_not_found(rek: Any, op: VideoOperation) -> None:
    for job_id in ("0" * 64, "no-such-job", "0" * 32):
        with refused(rek, "ResourceNotFoundException"):
            getattr(rek, op.get)(JobId=job_id)


def test_a_job_is_only_found_by_the_get_of_its_own_operation(
    rek: Any, enqueued: list[str], collection: str
) -> None:
    label_job = rek.start_label_detection(Video=VIDEO)["JobId"]
    assert rek.get_label_detection(JobId=label_job)["JobStatus"] == "IN_PROGRESS"
    for op in OPERATIONS[1:]:
        with refused(rek, "ResourceNotFoundException"):
            getattr(rek, op.get)(JobId=label_job)


def test_progress_of_a_running_job_is_in_the_raw_body(
    rek: Any, enqueued: list[str], job_states: JobStates
) -> None:
    job_id = rek.start_label_detection(Video=VIDEO)["JobId"]
    job_states.progress(job_id, 42.5)
    with raw_bodies(rek) as bodies:
        page = rek.get_label_detection(JobId=job_id)
    assert page["JobStatus"] == "IN_PROGRESS" and page["Labels"] == []
    assert "Progress" not in page  # boto3 drops members its model lacks ...
    assert bodies[0]["Progress"] == 42.5  # ... so users read it from the raw body (README)
    assert page["VideoMetadata"]["FrameWidth"] == 640
    assert page["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}


def test_a_bad_pagination_token_is_refused_while_the_job_runs(rek: Any, enqueued: list[str]) -> None:
    job_id = rek.start_label_detection(Video=VIDEO)["JobId"]
    with refused(rek, "InvalidPaginationTokenException"):
        rek.get_label_detection(JobId=job_id, NextToken="not-a-token")
    assert rek.get_label_detection(JobId=job_id, NextToken="")["JobStatus"] == "IN_PROGRESS"


# --- ClientRequestToken ------------------------------------------------------------------------------


def test_same_token_and_request_give_the_same_job_enqueued_once(rek: Any, enqueued: list[str]) -> None:
    token = unique("token")
    first = rek.start_label_detection(Video=VIDEO, ClientRequestToken=token, JobTag="a")["JobId"]
    again = rek.start_label_detection(Video=VIDEO, ClientRequestToken=token, JobTag="a")["JobId"]
    assert again == first
    assert enqueued == [first]
    assert rek.get_label_detection(JobId=first)["JobTag"] == "a"


@pytest.mark.parametrize(
    "changed",
    [{"JobTag": "b"}, {"Video": OTHER_VIDEO}, {"MinConfidence": 80.0}],
    ids=["job-tag", "video", "added-member"],
)
def test_same_token_with_another_request_is_a_mismatch(
    rek: Any, enqueued: list[str], changed: dict[str, Any]
) -> None:
    token = unique("token")
    first = rek.start_label_detection(Video=VIDEO, ClientRequestToken=token, JobTag="a")["JobId"]
    with refused(rek, "IdempotentParameterMismatchException"):
        rek.start_label_detection(**{"Video": VIDEO, "JobTag": "a", **changed}, ClientRequestToken=token)
    assert enqueued == [first]
    # The token still names the first job.
    assert rek.start_label_detection(Video=VIDEO, ClientRequestToken=token, JobTag="a")["JobId"] == first
    assert enqueued == [first]


def test_another_token_or_no_token_makes_another_job(rek: Any, enqueued: list[str]) -> None:
    first = rek.start_label_detection(Video=VIDEO, ClientRequestToken=unique("token"))["JobId"]
    second = rek.start_label_detection(Video=VIDEO, ClientRequestToken=unique("token"))["JobId"]
    third = rek.start_label_detection(Video=VIDEO)["JobId"]
    fourth = rek.start_label_detection(Video=VIDEO)["JobId"]
    assert len({first, second, third, fourth}) == 4
    assert enqueued == [first, second, third, fourth]


@pytest.mark.parametrize("op", OPERATIONS, ids=IDS)
def test_every_start_is_idempotent(
    rek: Any, enqueued: list[str], collection: str, op: VideoOperation
) -> None:
    token = unique("token")
    params = start_params(op, collection, ClientRequestToken=token)
    first = getattr(rek, op.start)(**params)["JobId"]
    assert getattr(rek, op.start)(**params)["JobId"] == first
    with refused(rek, "IdempotentParameterMismatchException"):
        getattr(rek, op.start)(**{**params, "JobTag": "changed"})
    assert enqueued == [first]


# --- videos that cannot be read, and other refusals at Start ----------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "missing.mp4",
        "clips/missing.mp4",
        "../../../../etc/passwd",
        "clips/../../outside.mp4",
        "/etc/passwd",
        "escape.mp4",  # a symlink to a file outside the bucket
    ],
)
def test_unreadable_local_video_is_invalid_s3_object(rek: Any, enqueued: list[str], name: str) -> None:
    with refused(rek, "InvalidS3ObjectException"):
        rek.start_label_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": name}})
    assert enqueued == []


def test_missing_sample_and_unreachable_bucket_are_invalid_s3_object(rek: Any, enqueued: list[str]) -> None:
    with refused(rek, "InvalidS3ObjectException"):
        rek.start_label_detection(Video={"S3Object": {"Bucket": "samples", "Name": "no-such-video.mp4"}})
    # Not a local bucket, so it is looked up on S3, whose endpoint (in this suite) does not answer.
    with refused(rek, "InvalidS3ObjectException"):
        rek.start_label_detection(Video={"S3Object": {"Bucket": "no-such-bucket", "Name": "clip.mp4"}})
    assert enqueued == []


def test_names_are_paths_inside_the_bucket(rek: Any, enqueued: list[str]) -> None:
    nested = rek.start_label_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "clips/nested.mp4"}})
    # Version is ignored for local buckets (README).
    versioned = rek.start_label_detection(Video={"S3Object": {**VIDEO["S3Object"], "Version": "v1"}})
    assert enqueued == [nested["JobId"], versioned["JobId"]]


def test_video_over_the_size_limit_is_refused_at_start(rek: Any, enqueued: list[str]) -> None:
    with refused(rek, "VideoTooLargeException"):
        rek.start_label_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "huge.mp4"}})
    assert enqueued == []


def test_video_without_s3_object_is_invalid_parameter(rek: Any, enqueued: list[str]) -> None:
    with refused(rek, "InvalidParameterException", match="S3Object"):
        rek.start_label_detection(Video={})
    assert enqueued == []


def test_start_face_search_refuses_an_unknown_collection(rek: Any, enqueued: list[str]) -> None:
    with refused(rek, "ResourceNotFoundException"):
        rek.start_face_search(Video=VIDEO, CollectionId=unique("no-such-collection"))
    assert enqueued == []


def test_start_text_detection_refuses_filters_it_cannot_apply(rek: Any, enqueued: list[str]) -> None:
    with refused(rek, "InvalidParameterException", match="Polygon"):
        rek.start_text_detection(
            Video=VIDEO, Filters={"RegionsOfInterest": [{"Polygon": [{"X": 0.1, "Y": 0.1}]}]}
        )
    assert enqueued == []
