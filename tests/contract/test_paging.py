"""Get* paging on finished jobs: NextToken "" is the first page, the last page has no NextToken member,
MaxResults is clamped to 1000, and tokens are bound to their job and their SortBy/AggregateBy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.contract.conftest import BUCKET
from tests.contract.job_states import JobStates
from tests.contract.wire import refused, unique

VIDEO = {"S3Object": {"Bucket": BUCKET, "Name": "clip.mp4"}}
NAMES = ("Bicycle", "Car", "Person", "Tree")
#: More items than one page can hold (1000), so that clamping shows.
TIMESTAMP_ITEMS = 2345
SEGMENT_ITEMS = 31


def label_item(index: int) -> dict[str, Any]:
    name = NAMES[index % len(NAMES)]
    return {
        "Timestamp": index * 40,
        "Label": {
            "Name": name,
            "Confidence": 50.0 + (index * 7) % 50,
            "Instances": [],
            "Parents": [],
            "Aliases": [],
            "Categories": [],
        },
    }


def segment_item(index: int) -> dict[str, Any]:
    start = index * 1000
    return {
        "Timestamp": start,
        "Label": {"Name": NAMES[index % len(NAMES)], "Confidence": 90.0, "Parents": [], "Categories": []},
        "StartTimestampMillis": start,
        "EndTimestampMillis": start + 400,
        "DurationMillis": 400,
    }


@dataclass(frozen=True)
class FinishedJob:
    job_id: str
    by_timestamp: list[dict[str, Any]]
    by_name: list[dict[str, Any]]
    segments: list[dict[str, Any]]


def finished_label_job(rek: Any, job_states: JobStates, items: int = TIMESTAMP_ITEMS) -> FinishedJob:
    """A StartLabelDetection job, made SUCCEEDED with ``items`` labels in each ordering."""
    job_id = rek.start_label_detection(Video=VIDEO, JobTag=unique("paging"))["JobId"]
    by_timestamp = [label_item(i) for i in range(items)]
    by_name = sorted(
        by_timestamp, key=lambda i: (i["Label"]["Name"], -i["Label"]["Confidence"], i["Timestamp"])
    )
    segments = [segment_item(i) for i in range(SEGMENT_ITEMS)]
    job_states.succeed(
        job_id,
        "LabelDetection",
        {
            ("TIMESTAMP", "TIMESTAMPS"): by_timestamp,
            ("NAME", "TIMESTAMPS"): by_name,
            ("TIMESTAMP", "SEGMENTS"): segments,
            ("NAME", "SEGMENTS"): sorted(segments, key=lambda i: i["Label"]["Name"]),
        },
        {"LabelModelVersion": "contract-test"},
    )
    return FinishedJob(job_id, by_timestamp, by_name, segments)


@pytest.fixture(scope="module")
def job(rek: Any, job_states: JobStates) -> FinishedJob:
    return finished_label_job(rek, job_states)


@pytest.fixture(scope="module")
def other_job(rek: Any, job_states: JobStates) -> FinishedJob:
    return finished_label_job(rek, job_states, items=20)


def get_pages(rek: Any, job_id: str, max_pages: int, **params: Any) -> list[dict[str, Any]]:
    """Every page, paging as AWS's sample does (NextToken "" first, stop when the member is absent);
    more than ``max_pages`` pages is a failure, not an endless loop."""
    pages: list[dict[str, Any]] = []
    token = ""
    while len(pages) < max_pages:
        page: dict[str, Any] = rek.get_label_detection(JobId=job_id, NextToken=token, **params)
        pages.append(page)
        if "NextToken" not in page:
            return pages
        token = page["NextToken"]
    raise AssertionError(f"still a NextToken after {max_pages} pages")


def items_of(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for page in pages for item in page["Labels"]]


def test_a_finished_job_reads_succeeded_with_progress_100(rek: Any, job: FinishedJob) -> None:
    raw: list[dict[str, Any]] = []

    def keep(http_response: Any, **_: Any) -> None:
        raw.append(json.loads(http_response.content))

    rek.meta.events.register("after-call.rekognition.GetLabelDetection", keep)
    try:
        page = rek.get_label_detection(JobId=job.job_id, MaxResults=1)
    finally:
        rek.meta.events.unregister("after-call.rekognition.GetLabelDetection", keep)
    assert page["JobStatus"] == "SUCCEEDED"
    assert page["LabelModelVersion"] == "contract-test"
    assert page["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}
    assert raw[0]["Progress"] == 100


def test_empty_next_token_is_the_first_page(rek: Any, job: FinishedJob) -> None:
    without = rek.get_label_detection(JobId=job.job_id, MaxResults=5)
    empty = rek.get_label_detection(JobId=job.job_id, MaxResults=5, NextToken="")
    assert without["Labels"] == empty["Labels"] == job.by_timestamp[:5]
    assert without["NextToken"] and empty["NextToken"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"MaxResults": 400}, "by_timestamp"),
        ({"MaxResults": 1000, "SortBy": "NAME"}, "by_name"),
        ({"MaxResults": 7, "AggregateBy": "SEGMENTS"}, "segments"),
        ({"MaxResults": 1, "AggregateBy": "SEGMENTS"}, "segments"),
    ],
    ids=["timestamp-400", "name-1000", "segments-7", "segments-1"],
)
def test_paging_returns_every_item_once_in_order(
    rek: Any, job: FinishedJob, params: dict[str, Any], expected: str
) -> None:
    wanted = getattr(job, expected)
    expected_pages = -(-len(wanted) // params["MaxResults"])
    pages = get_pages(rek, job.job_id, expected_pages, **params)
    assert len(pages) == expected_pages
    assert items_of(pages) == wanted
    assert all(len(page["Labels"]) == params["MaxResults"] for page in pages[:-1])
    assert 1 <= len(pages[-1]["Labels"]) <= params["MaxResults"]
    assert "NextToken" not in pages[-1]  # absent, not "" or null: AWS's sample loop stops on it
    assert all(page["NextToken"] for page in pages[:-1])


def test_the_last_page_has_no_next_token_in_the_raw_body_either(rek: Any, job: FinishedJob) -> None:
    raw: list[dict[str, Any]] = []

    def keep(http_response: Any, **_: Any) -> None:
        raw.append(json.loads(http_response.content))

    rek.meta.events.register("after-call.rekognition.GetLabelDetection", keep)
    try:
        rek.get_label_detection(JobId=job.job_id, AggregateBy="SEGMENTS", MaxResults=1000)
    finally:
        rek.meta.events.unregister("after-call.rekognition.GetLabelDetection", keep)
    assert len(raw[0]["Labels"]) == SEGMENT_ITEMS and "NextToken" not in raw[0]


@pytest.mark.parametrize("max_results", [None, 1000, 1001, 5000, 2**31 - 1])
def test_max_results_is_at_most_1000(rek: Any, job: FinishedJob, max_results: int | None) -> None:
    params = {} if max_results is None else {"MaxResults": max_results}
    page = rek.get_label_detection(JobId=job.job_id, **params)
    assert page["Labels"] == job.by_timestamp[:1000]
    following = rek.get_label_detection(JobId=job.job_id, NextToken=page["NextToken"], **params)
    assert following["Labels"] == job.by_timestamp[1000:2000]


def test_explicit_defaults_continue_a_default_listing(rek: Any, job: FinishedJob) -> None:
    token = rek.get_label_detection(JobId=job.job_id, MaxResults=3)["NextToken"]
    page = rek.get_label_detection(
        JobId=job.job_id, MaxResults=3, SortBy="TIMESTAMP", AggregateBy="TIMESTAMPS", NextToken=token
    )
    assert page["Labels"] == job.by_timestamp[3:6]


@pytest.mark.parametrize(
    "other_view",
    [{"SortBy": "NAME"}, {"AggregateBy": "SEGMENTS"}, {"SortBy": "NAME", "AggregateBy": "SEGMENTS"}],
)
def test_a_token_is_bound_to_its_sort_and_aggregation(
    rek: Any, job: FinishedJob, other_view: dict[str, str]
) -> None:
    token = rek.get_label_detection(JobId=job.job_id, MaxResults=3)["NextToken"]
    with refused(rek, "InvalidPaginationTokenException"):
        rek.get_label_detection(JobId=job.job_id, MaxResults=3, NextToken=token, **other_view)
    # ... and the other way round.
    token = rek.get_label_detection(JobId=job.job_id, MaxResults=3, **other_view)["NextToken"]
    with refused(rek, "InvalidPaginationTokenException"):
        rek.get_label_detection(JobId=job.job_id, MaxResults=3, NextToken=token)


def test_a_token_is_bound_to_its_job(rek: Any, job: FinishedJob, other_job: FinishedJob) -> None:
    token = rek.get_label_detection(JobId=job.job_id, MaxResults=3)["NextToken"]
    with refused(rek, "InvalidPaginationTokenException"):
        rek.get_label_detection(JobId=other_job.job_id, MaxResults=3, NextToken=token)
    token = rek.get_label_detection(JobId=other_job.job_id, MaxResults=3)["NextToken"]
    with refused(rek, "InvalidPaginationTokenException"):
        rek.get_label_detection(JobId=job.job_id, MaxResults=3, NextToken=token)


def test_garbage_and_tampered_tokens_are_refused(rek: Any, job: FinishedJob) -> None:
    token = rek.get_label_detection(JobId=job.job_id, MaxResults=3)["NextToken"]
    assert rek.get_label_detection(JobId=job.job_id, MaxResults=3, NextToken=token)["Labels"]
    tampered = {
        token[:i] + ("B" if token[i] == "A" else "A") + token[i + 1 :]
        for i in (0, len(token) // 2, len(token) - 1)
    }
    for bad in ["not-a-token", "A", "====", token + "A", token[:-1], *sorted(tampered)]:
        with refused(rek, "InvalidPaginationTokenException"):
            rek.get_label_detection(JobId=job.job_id, MaxResults=3, NextToken=bad)


def test_tokens_of_other_listings_are_refused(rek: Any, job: FinishedJob) -> None:
    collection = unique("paging")
    rek.create_collection(CollectionId=collection)
    for user in ("a", "b"):
        rek.create_user(CollectionId=collection, UserId=user)
    users_token = rek.list_users(CollectionId=collection, MaxResults=1)["NextToken"]
    rek.create_collection(CollectionId=collection + "-2")
    collections_token = rek.list_collections(MaxResults=1)["NextToken"]
    for foreign in (users_token, collections_token):
        with refused(rek, "InvalidPaginationTokenException"):
            rek.get_label_detection(JobId=job.job_id, NextToken=foreign)
    label_token = rek.get_label_detection(JobId=job.job_id, MaxResults=3)["NextToken"]
    with refused(rek, "InvalidPaginationTokenException"):
        rek.list_users(CollectionId=collection, NextToken=label_token)
    with refused(rek, "InvalidPaginationTokenException"):
        rek.list_collections(NextToken=label_token)


def test_a_token_longer_than_the_model_allows_is_an_invalid_parameter(rek: Any, job: FinishedJob) -> None:
    with refused(rek, "InvalidParameterException", match="'NextToken'"):
        rek.get_label_detection(JobId=job.job_id, NextToken="A" * 256)
