"""LabelAggregator (evidence over neighbouring frames, parents, segments) and the Rekognition conversion.

All streams are synthetic Detection sequences at 5 samples per second (200 ms apart); the detector's
``score`` field carries the calibrated confidence as a fraction, so ``confidence_of`` is score * 100.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser
from botocore.validate import ParamValidator

from pipelines.detection import Detection
from pipelines.geometry import BoundingBox
from pipelines.image_level_schedule import ImageLevelSchedule
from pipelines.label_results import (
    VIEW_KEYS,
    label_detection_item,
    label_segment_item,
    ordered_views,
)
from pipelines.labels import LabelAggregator, LabelObservation, LabelSegment, merge_segments
from pipelines.taxonomy import LabelFilter, LabelTaxonomy

INTERVAL_MS = 200
BOX = BoundingBox(0.1, 0.2, 0.3, 0.4)
OTHER_BOX = BoundingBox(0.6, 0.5, 0.2, 0.2)


def percent(det: Detection) -> float:
    return det.score * 100.0


@pytest.fixture(scope="module")
def taxonomy() -> LabelTaxonomy:
    return LabelTaxonomy.load_default()


def feed(aggregator: LabelAggregator, frames: Sequence[Sequence[Detection]], start_ms: int = 0) -> None:
    for index, detections in enumerate(frames):
        aggregator.add_frame(start_ms + index * INTERVAL_MS, detections, percent)


def det(label: str, confidence_percent: float, box: BoundingBox = BOX) -> Detection:
    return Detection(label=label, score=confidence_percent / 100.0, box=box)


def named(observations: Sequence[LabelObservation], name: str) -> list[LabelObservation]:
    return [o for o in observations if o.info.name == name]


# --- evidence rule ---------------------------------------------------------------------------------


def test_steady_label_is_reported_in_every_frame_at_its_own_confidence(taxonomy: LabelTaxonomy) -> None:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, [[det("car", 70)] for _ in range(20)])
    cars = named(agg.observations(50.0), "Car")
    assert [o.timestamp_ms for o in cars] == [i * INTERVAL_MS for i in range(20)]
    assert all(o.confidence == pytest.approx(70.0) for o in cars)
    assert all(len(o.instances) == 1 and o.instances[0].box == BOX for o in cars)


def test_one_frame_blip_drops_below_default_min_confidence(taxonomy: LabelTaxonomy) -> None:
    frames: list[list[Detection]] = [[] for _ in range(11)]
    frames[5] = [det("dog", 75)]
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, frames)
    assert named(agg.observations(50.0), "Dog") == []
    # It is the evidence rule that drops it, not a lost detection: 0.6 * 75 = 45.
    (blip,) = named(agg.observations(0.0), "Dog")
    assert blip.timestamp_ms == 1000
    assert blip.confidence == pytest.approx(45.0)


def test_very_confident_single_frame_detection_still_passes(taxonomy: LabelTaxonomy) -> None:
    frames: list[list[Detection]] = [[] for _ in range(11)]
    frames[5] = [det("dog", 95)]
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, frames)
    (dog,) = named(agg.observations(50.0), "Dog")
    assert dog.confidence == pytest.approx(57.0)


def test_same_blip_passes_when_the_evidence_window_is_disabled(taxonomy: LabelTaxonomy) -> None:
    frames: list[list[Detection]] = [[] for _ in range(11)]
    frames[5] = [det("dog", 75)]
    agg = LabelAggregator(taxonomy, INTERVAL_MS, evidence_window_ms=0)
    feed(agg, frames)
    (dog,) = named(agg.observations(50.0), "Dog")
    assert dog.confidence == pytest.approx(75.0)


def test_a_dip_between_confident_neighbours_is_lifted(taxonomy: LabelTaxonomy) -> None:
    confidences = [90, 90, 40, 90, 90]
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, [[det("person", c)] for c in confidences])
    people = named(agg.observations(50.0), "Person")
    assert [o.timestamp_ms for o in people] == [0, 200, 400, 600, 800]
    assert people[2].confidence == pytest.approx(0.6 * 40 + 0.4 * 90)


def test_brief_but_real_object_over_three_frames_survives(taxonomy: LabelTaxonomy) -> None:
    frames: list[list[Detection]] = [[] for _ in range(10)]
    for i in (4, 5, 6):
        frames[i] = [det("car", 70)]
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, frames)
    assert [o.timestamp_ms for o in named(agg.observations(50.0), "Car")] == [800, 1000, 1200]


def test_instances_below_min_confidence_are_dropped(taxonomy: LabelTaxonomy) -> None:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, [[det("car", 80), det("car", 20, OTHER_BOX)] for _ in range(5)])
    cars = named(agg.observations(50.0), "Car")
    assert len(cars) == 5
    for car in cars:
        assert [i.box for i in car.instances] == [BOX]
        assert car.confidence == pytest.approx(80.0)
    # At a low threshold both boxes come back; the weak one gets neighbour support 80: 0.6*20+0.4*80.
    weak = [i for i in named(agg.observations(10.0), "Car")[2].instances if i.box == OTHER_BOX]
    assert weak[0].confidence == pytest.approx(44.0)


def test_unmapped_detector_classes_are_ignored(taxonomy: LabelTaxonomy) -> None:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, [[det("unicorn", 99), det("car", 90)] for _ in range(3)])
    assert {o.info.name for o in agg.observations(0.0)} == {"Car", "Vehicle", "Transportation"}


def test_results_match_the_documented_formula_on_a_random_stream(taxonomy: LabelTaxonomy) -> None:
    rng = random.Random(7)
    timestamps = sorted(rng.sample(range(0, 60_000), 250))
    frames = [
        [det(rng.choice(["car", "dog", "person"]), rng.uniform(5, 100)) for _ in range(rng.randint(0, 2))]
        for _ in timestamps
    ]
    window, weight = 500, 0.4
    agg = LabelAggregator(taxonomy, INTERVAL_MS, evidence_window_ms=window, support_weight=weight)
    for ts, dets in zip(timestamps, frames, strict=True):
        agg.add_frame(ts, dets, percent)
    assert agg.frames_in_memory <= 12  # a 1 s span of frames, never the whole minute

    def peak(dets: Sequence[Detection], coco: str) -> float:
        return max((d.score * 100 for d in dets if d.label == coco), default=0.0)

    expected: dict[tuple[int, str], float] = {}
    for i, (ts, dets) in enumerate(zip(timestamps, frames, strict=True)):
        neighbours = [j for j, other in enumerate(timestamps) if j != i and abs(other - ts) <= window]
        for coco in {d.label for d in dets}:
            own = peak(dets, coco)
            support = sum(peak(frames[j], coco) for j in neighbours) / len(neighbours) if neighbours else own
            name = taxonomy.for_detector_class(coco)
            assert name is not None
            expected[(ts, name.name)] = (1 - weight) * own + weight * support
    got = {(o.timestamp_ms, o.info.name): o.confidence for o in agg.observations(0.0) if o.instances}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key


def test_frames_must_arrive_in_presentation_order(taxonomy: LabelTaxonomy) -> None:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    agg.add_frame(400, [], percent)
    with pytest.raises(ValueError, match="presentation order"):
        agg.add_frame(200, [], percent)


def test_knob_ranges_are_checked(taxonomy: LabelTaxonomy) -> None:
    with pytest.raises(ValueError):
        LabelAggregator(taxonomy, 0)
    with pytest.raises(ValueError):
        LabelAggregator(taxonomy, INTERVAL_MS, support_weight=1.5)
    with pytest.raises(ValueError):
        LabelAggregator(taxonomy, INTERVAL_MS, evidence_window_ms=-1)


# --- parents, aliases, categories, filters ---------------------------------------------------------


def test_parents_are_reported_per_timestamp_with_the_best_childs_confidence(taxonomy: LabelTaxonomy) -> None:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, [[det("car", 70), det("truck", 85, OTHER_BOX)] for _ in range(3)])
    observations = agg.observations(50.0)
    assert {o.info.name for o in observations} == {"Car", "Truck", "Vehicle", "Transportation"}
    for name in ("Vehicle", "Transportation"):
        series = named(observations, name)
        assert [o.timestamp_ms for o in series] == [0, 200, 400]
        assert all(o.instances == () for o in series)
        assert all(o.confidence == pytest.approx(85.0) for o in series)
    car = named(observations, "Car")[0]
    assert car.info.parents == ("Vehicle", "Transportation")
    assert "Automobile" in car.info.aliases
    assert car.info.categories == ("Vehicles and Automotive",)


def test_dog_brings_all_its_ancestors(taxonomy: LabelTaxonomy) -> None:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, [[det("dog", 90)] for _ in range(3)])
    assert {o.info.name for o in agg.observations(50.0)} == {"Dog", "Animal", "Canine", "Mammal", "Pet"}


# --- image-level labels (classifier, faces) ----------------------------------------------------------


def test_image_level_labels_are_reported_without_instances_with_their_parents(
    taxonomy: LabelTaxonomy,
) -> None:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    for index in range(3):
        agg.add_frame(index * INTERVAL_MS, [], percent, {"Beach": 80.0, "Man": 70.0})
    observations = agg.observations(50.0)
    beach = named(observations, "Beach")
    assert [o.timestamp_ms for o in beach] == [0, 200, 400]
    assert all(o.instances == () and o.confidence == pytest.approx(80.0) for o in beach)
    names = {o.info.name for o in observations}
    assert {"Outdoors", "Nature", "Water", "Adult", "Male", "Person"} <= names
    assert all(o.confidence == pytest.approx(80.0) for o in named(observations, "Outdoors"))


def test_a_label_both_sources_name_takes_the_higher_and_keeps_the_boxes(taxonomy: LabelTaxonomy) -> None:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    for index in range(3):
        agg.add_frame(index * INTERVAL_MS, [det("car", 60)], percent, {"Car": 75.0})
    car = named(agg.observations(50.0), "Car")
    assert all(o.confidence == pytest.approx(75.0) for o in car)
    # The box keeps its own confidence, with the label's support over the neighbours: 0.6 x 60 + 0.4 x 75.
    assert all([i.confidence for i in o.instances] == [pytest.approx(66.0)] for o in car)
    weaker = LabelAggregator(taxonomy, INTERVAL_MS)
    for index in range(3):
        weaker.add_frame(index * INTERVAL_MS, [det("car", 90)], percent, {"Car": 55.0})
    assert all(o.confidence == pytest.approx(90.0) for o in named(weaker.observations(50.0), "Car"))


def test_image_level_labels_follow_the_evidence_rule_and_filters(taxonomy: LabelTaxonomy) -> None:
    """Seen in one frame only, at 80: 0.6 x 80 + 0.4 x mean(0, 0) = 48 < 50, as for a detection."""
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    for index in range(5):
        agg.add_frame(index * INTERVAL_MS, [], percent, {"Beach": 80.0} if index == 2 else {})
    assert named(agg.observations(50.0), "Beach") == []
    assert named(agg.observations(40.0), "Beach")[0].confidence == pytest.approx(48.0)
    steady = LabelAggregator(taxonomy, INTERVAL_MS)
    for index in range(3):
        steady.add_frame(index * INTERVAL_MS, [], percent, {"Beach": 80.0})
    nature = LabelFilter(category_inclusion=["Nature and Outdoors"])
    assert "Beach" in {o.info.name for o in steady.observations(50.0, nature)}
    assert "Beach" not in {o.info.name for o in steady.observations(50.0, LabelFilter(exclusion=["Beach"]))}


def test_an_image_level_label_the_taxonomy_does_not_know_is_a_bug(taxonomy: LabelTaxonomy) -> None:
    with pytest.raises(KeyError):
        LabelAggregator(taxonomy, INTERVAL_MS).add_frame(0, [], percent, {"Unicorn": 90.0})


def test_the_image_level_models_run_once_per_period_and_their_labels_hold() -> None:
    """5 samples per second, the classifier at 1 per second: frames 0, 5, 10 ... run it."""
    schedule = ImageLevelSchedule(1000.0, tolerance_ms=INTERVAL_MS / 2)
    runs: list[int] = []

    def run_at(t: int) -> dict[str, float]:
        runs.append(t)
        return {"Beach": float(t)}

    held = [schedule.labels_at(t, lambda t=t: run_at(t)) for t in range(0, 2400, INTERVAL_MS)]
    assert runs == [0, 1000, 2000]
    assert [h["Beach"] for h in held] == [0.0] * 5 + [1000.0] * 5 + [2000.0] * 2
    jittered = ImageLevelSchedule(1000.0, tolerance_ms=INTERVAL_MS / 2)
    ran = [t for t in (0, 199, 401, 598, 799, 999, 1201) if jittered.labels_at(t, dict) is not None]
    assert len(ran) == 7 and jittered.runs == 2  # 999 ms counts as due (within half an interval)
    with pytest.raises(ValueError):
        ImageLevelSchedule(0.0)


def _scene(taxonomy: LabelTaxonomy) -> LabelAggregator:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, [[det("car", 90), det("person", 90, OTHER_BOX), det("dog", 90)] for _ in range(3)])
    return agg


def test_label_inclusion_filter(taxonomy: LabelTaxonomy) -> None:
    names = {o.info.name for o in _scene(taxonomy).observations(50.0, LabelFilter(inclusion=["Car"]))}
    assert names == {"Car"}


def test_label_exclusion_filter_keeps_parents(taxonomy: LabelTaxonomy) -> None:
    names = {o.info.name for o in _scene(taxonomy).observations(50.0, LabelFilter(exclusion=["Car"]))}
    assert "Car" not in names
    assert {"Vehicle", "Transportation", "Person", "Dog"} <= names


def test_category_inclusion_filter(taxonomy: LabelTaxonomy) -> None:
    label_filter = LabelFilter(category_inclusion=["Animals and Pets"])
    names = {o.info.name for o in _scene(taxonomy).observations(50.0, label_filter)}
    assert names == {"Dog", "Animal", "Canine", "Mammal", "Pet"}


def test_category_exclusion_filter(taxonomy: LabelTaxonomy) -> None:
    label_filter = LabelFilter(category_exclusion=["Vehicles and Automotive", "Animals and Pets"])
    names = {o.info.name for o in _scene(taxonomy).observations(50.0, label_filter)}
    assert names == {"Person"}


# --- segments --------------------------------------------------------------------------------------


def test_one_missed_frame_does_not_split_a_segment_but_three_do(taxonomy: LabelTaxonomy) -> None:
    present = [True] * 5 + [False] + [True] * 4 + [False] * 3 + [True] * 3
    confidences = iter(range(60, 60 + len(present)))
    frames = [[det("car", next(confidences))] if p else [] for p in present]
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, frames)
    assert agg.segment_max_gap_ms == 500
    cars = [s for s in agg.segments(0.0) if s.info.name == "Car"]
    assert [(s.start_ms, s.end_ms) for s in cars] == [(0, 1800), (2600, 3000)]
    assert cars[0].duration_ms == 1800
    car_observations = named(agg.observations(0.0), "Car")
    first_span = [o.confidence for o in car_observations if o.timestamp_ms <= 1800]
    assert cars[0].confidence == pytest.approx(max(first_span))


def test_segments_respect_min_confidence_and_filters(taxonomy: LabelTaxonomy) -> None:
    agg = _scene(taxonomy)
    segments = agg.segments(50.0, LabelFilter(inclusion=["Person", "Dog"]))
    assert [(s.info.name, s.start_ms, s.end_ms) for s in segments] == [("Dog", 0, 400), ("Person", 0, 400)]
    assert agg.segments(95.0) == []


def test_merge_segments_gap_knob() -> None:
    info = LabelTaxonomy.load_default().info("Car")
    observations = [LabelObservation(t, info, 60.0 + t / 100) for t in (0, 200, 400, 1000, 1200)]
    assert [(s.start_ms, s.end_ms) for s in merge_segments(observations, 600)] == [(0, 1200)]
    assert [(s.start_ms, s.end_ms) for s in merge_segments(observations, 599)] == [(0, 400), (1000, 1200)]
    assert [s.confidence for s in merge_segments(observations, 599)] == [64.0, 72.0]


# --- conversion to Rekognition JSON ----------------------------------------------------------------


def test_label_detection_item_shape(taxonomy: LabelTaxonomy) -> None:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    feed(agg, [[det("car", 80)] for _ in range(3)])
    car = named(agg.observations(50.0), "Car")[1]
    item = label_detection_item(car)
    assert item == {
        "Timestamp": 200,
        "Label": {
            "Name": "Car",
            "Confidence": pytest.approx(80.0),
            "Instances": [
                {
                    "BoundingBox": {"Width": 0.3, "Height": 0.4, "Left": 0.1, "Top": 0.2},
                    "Confidence": pytest.approx(80.0),
                }
            ],
            "Parents": [{"Name": "Vehicle"}, {"Name": "Transportation"}],
            "Aliases": [{"Name": "Automobile"}],
            "Categories": [{"Name": "Vehicles and Automotive"}],
        },
    }
    vehicle = named(agg.observations(50.0), "Vehicle")[0]
    assert label_detection_item(vehicle)["Label"]["Instances"] == []


def test_label_segment_item_shape(taxonomy: LabelTaxonomy) -> None:
    segment = LabelSegment(taxonomy.info("Person"), 91.5, 400, 2600)
    assert label_segment_item(segment) == {
        "Timestamp": 400,
        "Label": {
            "Name": "Person",
            "Confidence": 91.5,
            "Parents": [],
            "Aliases": [{"Name": "Human"}],
            "Categories": [{"Name": "Person Description"}],
        },
        "StartTimestampMillis": 400,
        "EndTimestampMillis": 2600,
        "DurationMillis": 2200,
    }


def _views(taxonomy: LabelTaxonomy) -> dict[str, list[dict[str, Any]]]:
    agg = LabelAggregator(taxonomy, INTERVAL_MS)
    frames = [[det("car", 60 + i), det("dog", 90 - i)] for i in range(4)] + [[] for _ in range(4)]
    frames += [[det("car", 99)] for _ in range(3)]
    feed(agg, frames)
    return ordered_views(agg.observations(50.0), agg.segments(50.0))


def test_timestamp_order_is_by_time_then_name(taxonomy: LabelTaxonomy) -> None:
    items = _views(taxonomy)["TIMESTAMP/TIMESTAMPS"]
    keys = [(i["Timestamp"], i["Label"]["Name"]) for i in items]
    assert keys == sorted(keys)
    assert keys[:3] == [(0, "Animal"), (0, "Canine"), (0, "Car")]


def test_name_order_groups_labels_and_sorts_by_confidence_within_a_group(taxonomy: LabelTaxonomy) -> None:
    items = _views(taxonomy)["NAME/TIMESTAMPS"]
    names = [i["Label"]["Name"] for i in items]
    assert names == sorted(names)
    for name in set(names):
        confidences = [i["Label"]["Confidence"] for i in items if i["Label"]["Name"] == name]
        assert confidences == sorted(confidences, reverse=True)
    car_times = [i["Timestamp"] for i in items if i["Label"]["Name"] == "Car"]
    assert set(car_times[:3]) == {1600, 1800, 2000}  # the 99% frames come first


def test_segment_views(taxonomy: LabelTaxonomy) -> None:
    views = _views(taxonomy)
    by_time = [
        (i["StartTimestampMillis"], i["Label"]["Name"], i["EndTimestampMillis"])
        for i in views["TIMESTAMP/SEGMENTS"]
    ]
    assert by_time == sorted(by_time)
    cars = [(start, end) for start, name, end in by_time if name == "Car"]
    assert cars == [(0, 600), (1600, 2000)]
    by_name = views["NAME/SEGMENTS"]
    assert [i["Label"]["Name"] for i in by_name] == sorted(i["Label"]["Name"] for i in by_name)
    car_confidences = [i["Label"]["Confidence"] for i in by_name if i["Label"]["Name"] == "Car"]
    assert car_confidences == sorted(car_confidences, reverse=True)
    assert all("Instances" not in i["Label"] for i in by_name)


def test_every_view_parses_with_botocore_get_label_detection_output_shape(taxonomy: LabelTaxonomy) -> None:
    views = _views(taxonomy)
    assert tuple(views) == VIEW_KEYS
    model = botocore.session.get_session().get_service_model("rekognition")
    output_shape = model.operation_model("GetLabelDetection").output_shape
    assert output_shape is not None
    parser = create_parser(model.metadata["protocol"])
    for key, items in views.items():
        assert items, key
        response = {"JobStatus": "SUCCEEDED", "LabelModelVersion": "vidrek-test", "Labels": items}
        report = ParamValidator().validate(response, output_shape)
        assert not report.has_errors(), report.generate_report()
        wire = {"status_code": 200, "headers": {}, "body": json.dumps(response).encode()}
        parsed = parser.parse(wire, output_shape)
        # botocore drops members it does not know: a misspelled key would make the round trip differ.
        assert parsed["Labels"] == items, key
        confidences = [i["Label"]["Confidence"] for i in items]
        confidences += [inst["Confidence"] for i in items for inst in i["Label"].get("Instances", [])]
        assert all(0.0 <= c <= 100.0 for c in confidences)  # Percent: min 0, max 100
