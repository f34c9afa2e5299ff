"""The face a gallery photo stands for: its largest face (a portrait may show other people behind)."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.detection import RGBImage
from pipelines.errors import InvalidInput
from pipelines.faces.detection import FaceDetection, FaceDetector
from pipelines.faces.embedding import FaceEmbedder, FaceVector

#: A second face at least this large relative to the largest makes the photo ambiguous (two people of
#: similar size: which one is the person?). Ratio of box areas, 0-1. Lower refuses group photos with a
#: small face in the background; higher accepts photos where the wrong person may be stored.
AMBIGUOUS_AREA_RATIO = 0.6


class PortraitError(InvalidInput, ValueError):
    """The photo cannot stand for one person (the message says why)."""


@dataclass(frozen=True)
class Portrait:
    detection: FaceDetection
    vector: FaceVector


def portrait_face(image: RGBImage, detector: FaceDetector, embedder: FaceEmbedder) -> Portrait:
    """The largest face of a gallery photo and its descriptor; PortraitError if none or ambiguous."""
    faces = sorted(detector.detect(image), key=lambda face: -face.box.area)
    if not faces:
        raise PortraitError("no face found")
    if len(faces) > 1 and faces[1].box.area >= AMBIGUOUS_AREA_RATIO * faces[0].box.area:
        raise PortraitError(
            f"{len(faces)} faces of similar size: use a photo in which the person's face is clearly "
            "the largest"
        )
    return Portrait(detection=faces[0], vector=embedder.embed(image, faces[0].box))
