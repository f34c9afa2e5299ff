"""Content moderation with the optional NudeNet detector turned on (VIDREK_MODERATION_NUDENET=true),
through boto3 against a stack of its own. Skipped where the AGPL-3.0 ``nudenet`` extra is not installed
(it is not part of the default install)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipelines.moderation.nudenet import nudenet_available
from tests.stack import Stack, wait_for_job

pytestmark = pytest.mark.skipif(
    not nudenet_available(), reason="the optional nudenet package (AGPL-3.0) is not installed"
)


@pytest.fixture(scope="module")
def nudenet_rek(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Iterator[Any]:
    settings = {"VIDREK_MODEL_DIR": str(model_dir), "VIDREK_MODERATION_NUDENET": "true"}
    with Stack(tmp_path_factory.mktemp("nudenet-stack"), settings) as stack:
        yield stack.client()


def test_nudenet_enabled_end_to_end(nudenet_rek: Any, shared_media: Path) -> None:
    result = nudenet_rek.detect_moderation_labels(
        Image={"Bytes": (shared_media / "images" / "person.jpg").read_bytes()}, MinConfidence=0
    )
    assert "NudeNet" in result["ModerationModelVersion"]
    assert result["ModerationLabels"] == []
    video = {"S3Object": {"Bucket": "samples", "Name": "bigbuckbunny.mp4"}}
    job_id = nudenet_rek.start_content_moderation(Video=video)["JobId"]
    page = wait_for_job(nudenet_rek, job_id, get="get_content_moderation")
    assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
    assert "NudeNet" in page["ModerationModelVersion"]
    assert page["ModerationLabels"] == []
