"""StartSegmentDetection / GetSegmentDetection through boto3 against the live stack."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.segment_media import ProgrammeTruth, load_photo, make_programme
from tests.stack import get_pages, wait_for_job

PROGRAMME = {"S3Object": {"Bucket": "media", "Name": "segments/programme.mp4"}}
CARPHONE = {"S3Object": {"Bucket": "samples", "Name": "carphone_pristine.mp4"}}
NDF = re.compile(r"^\d\d:\d\d:\d\d:\d\d$")
DF = re.compile(r"^\d\d:\d\d:\d\d;\d\d$")


@pytest.fixture(scope="module")
def programme(media_bucket: Path, shared_media: Path) -> ProgrammeTruth:
    """Colour bars, black, three shots of real photos, a black slug: generated into the media bucket."""
    folder = media_bucket / "segments"
    folder.mkdir(exist_ok=True)
    photos = [load_photo(shared_media / "images" / name) for name in ("dog.jpg", "horses.jpg", "kite.jpg")]
    return make_programme(folder / "programme.mp4", photos)


def all_segments(rek: Any, job_id: str, max_results: int = 1000) -> list[dict[str, Any]]:
    pages = get_pages(rek, "get_segment_detection", JobId=job_id, MaxResults=max_results)
    return [item for page in pages for item in page["Segments"]]


def run(rek: Any, video: dict[str, Any], **params: Any) -> tuple[str, dict[str, Any]]:
    job_id: str = rek.start_segment_detection(Video=video, **params)["JobId"]
    page = wait_for_job(rek, job_id, get="get_segment_detection")
    assert page["JobStatus"] == "SUCCEEDED", page.get("StatusMessage")
    return job_id, page


@pytest.fixture(scope="module")
def programme_job(rek: Any, programme: ProgrammeTruth) -> tuple[str, dict[str, Any]]:
    return run(rek, PROGRAMME, SegmentTypes=["TECHNICAL_CUE", "SHOT"], JobTag="segments")


def test_response_shape(programme_job: tuple[str, dict[str, Any]], programme: ProgrammeTruth) -> None:
    _, page = programme_job
    assert isinstance(page["VideoMetadata"], list) and len(page["VideoMetadata"]) == 1
    metadata = page["VideoMetadata"][0]
    assert metadata["FrameRate"] == pytest.approx(25.0)
    assert (metadata["FrameWidth"], metadata["FrameHeight"]) == (320, 180)
    assert page["AudioMetadata"] == []  # the generated video has no sound
    assert [t["Type"] for t in page["SelectedSegmentTypes"]] == ["TECHNICAL_CUE", "SHOT"]
    assert all(t["ModelVersion"] for t in page["SelectedSegmentTypes"])
    assert page["JobTag"] == "segments"


def test_technical_cues_and_shots_are_on_the_frame(
    rek: Any, programme_job: tuple[str, dict[str, Any]], programme: ProgrammeTruth
) -> None:
    job_id, _ = programme_job
    segments = all_segments(rek, job_id)
    types = [s["Type"] for s in segments]
    # Ordered as requested: every technical cue, then every shot, each by time.
    assert types == sorted(types, key=["TECHNICAL_CUE", "SHOT"].index)
    cues = [s for s in segments if s["Type"] == "TECHNICAL_CUE"]
    spans = {(c["TechnicalCueSegment"]["Type"], c["StartFrameNumber"], c["EndFrameNumber"]) for c in cues}
    assert ("ColorBars", *programme.color_bars) in spans
    for first, last in programme.black:
        assert ("BlackFrames", first, last) in spans
    assert {c["TechnicalCueSegment"]["Type"] for c in cues} == {"ColorBars", "BlackFrames", "Content"}
    shots = [s for s in segments if s["Type"] == "SHOT"]
    assert [s["StartFrameNumber"] for s in shots] == [0, *programme.cuts]
    assert [s["ShotSegment"]["Index"] for s in shots] == list(range(len(shots)))
    assert shots[-1]["EndFrameNumber"] == programme.frame_count - 1
    for segment in segments:
        confidence = (segment.get("ShotSegment") or segment.get("TechnicalCueSegment"))["Confidence"]
        assert 50 <= confidence <= 100
        # 25 fps: frame n is at n * 40 ms and its timecode counts n frames.
        assert segment["StartTimestampMillis"] == 40 * segment["StartFrameNumber"]
        assert segment["EndTimestampMillis"] == 40 * segment["EndFrameNumber"]
        assert segment["DurationFrames"] == segment["EndFrameNumber"] - segment["StartFrameNumber"]
        assert segment["DurationMillis"] == segment["EndTimestampMillis"] - segment["StartTimestampMillis"]
        for key in ("StartTimecodeSMPTE", "EndTimecodeSMPTE", "DurationSMPTE"):
            assert NDF.match(segment[key]), segment[key]
    third = shots[2]
    assert (third["StartTimecodeSMPTE"], third["EndTimecodeSMPTE"]) == ("00:00:02:00", "00:00:03:24")


def test_paging(rek: Any, programme_job: tuple[str, dict[str, Any]]) -> None:
    job_id, _ = programme_job
    assert all_segments(rek, job_id, max_results=2) == all_segments(rek, job_id)


def test_filters(rek: Any, programme: ProgrammeTruth, programme_job: tuple[str, dict[str, Any]]) -> None:
    default_shots = [s for s in all_segments(rek, programme_job[0]) if s["Type"] == "SHOT"]
    _, page = run(
        rek,
        PROGRAMME,
        SegmentTypes=["SHOT"],
        Filters={"ShotFilter": {"MinSegmentConfidence": 99.0}},
    )
    assert [t["Type"] for t in page["SelectedSegmentTypes"]] == ["SHOT"]
    shots = page["Segments"]
    assert {s["Type"] for s in shots} == {"SHOT"}
    assert all(s["ShotSegment"]["Confidence"] >= 99.0 for s in shots)
    # A shot's confidence is the weaker of its two bounding cuts, so a cut next to a shot of confidence
    # >= 99 is that strong and must survive; the survivors are cuts of the default run.
    surely_strong = {
        after["StartFrameNumber"]
        for before, after in itertools.pairwise(default_shots)
        if max(before["ShotSegment"]["Confidence"], after["ShotSegment"]["Confidence"]) >= 99.0
    }
    kept = {s["StartFrameNumber"] for s in shots[1:]}
    assert surely_strong <= kept <= {s["StartFrameNumber"] for s in default_shots[1:]}
    assert len(shots) < len(default_shots), "some cuts of the programme are weaker than 99"
    # A looser black-frame rule (half the range, half the pixels) still finds the black frames.
    _, page = run(
        rek,
        PROGRAMME,
        SegmentTypes=["TECHNICAL_CUE"],
        Filters={
            "TechnicalCueFilter": {"BlackFrame": {"MaxPixelThreshold": 0.5, "MinCoveragePercentage": 50}}
        },
    )
    black = [s for s in page["Segments"] if s["TechnicalCueSegment"]["Type"] == "BlackFrames"]
    assert black
    # Dark parts of the photos may count too now, but never fewer frames than the true black ones.
    assert sum(s["DurationFrames"] + 1 for s in black) >= sum(
        last - first + 1 for first, last in programme.black
    )


def test_drop_frame_timecodes_on_a_29_97_fps_clip(rek: Any) -> None:
    _, page = run(rek, CARPHONE, SegmentTypes=["SHOT"])
    assert page["VideoMetadata"][0]["FrameRate"] == pytest.approx(29.97, abs=0.01)
    shots = page["Segments"]
    assert len(shots) == 1, "carphone_pristine.mp4 is one shot"
    shot = shots[0]
    assert shot["StartFrameNumber"] == 0 and shot["EndFrameNumber"] > 100
    assert all(DF.match(shot[key]) for key in ("StartTimecodeSMPTE", "EndTimecodeSMPTE", "DurationSMPTE"))


def test_bad_requests(rek: Any) -> None:
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.start_segment_detection(Video=PROGRAMME, SegmentTypes=["SCENE"])
    with pytest.raises(botocore.exceptions.ParamValidationError):
        rek.start_segment_detection(Video=PROGRAMME, SegmentTypes=[])


def test_unreadable_video_fails_with_a_reason(rek: Any) -> None:
    job_id = rek.start_segment_detection(
        Video={"S3Object": {"Bucket": "media", "Name": "random.mp4"}}, SegmentTypes=["SHOT"]
    )["JobId"]
    page = wait_for_job(rek, job_id, get="get_segment_detection")
    assert page["JobStatus"] == "FAILED"
    assert "video" in page["StatusMessage"].lower()
