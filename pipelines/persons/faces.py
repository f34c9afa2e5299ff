"""Which face belongs to which person: ``Person.Face`` of GetPersonTracking.

A face is assigned to a person when the face's centre lies inside the person's box, in its upper part
(above ``HEAD_FRACTION`` of the box height: a head is never at a person's feet), and, when the person has a
confidently seen nose keypoint, the nearest such person wins. Each face goes to at most one person and each
person gets at most one face (the highest-confidence face first).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from pipelines.detection import RGBImage
from pipelines.faces.analysis import analyse_faces
from pipelines.faces.detection import FaceDetector
from pipelines.faces.types import FaceAnalysis
from pipelines.geometry import BoundingBox
from pipelines.persons.detection import PersonDetection

#: Upper fraction of a person box in which the face centre must lie (0..1). Too small loses faces of
#: bending or sitting people; 1.0 lets a face in front of someone's legs be assigned to them.
HEAD_FRACTION = 0.6
#: Keypoint score above which MoveNet's nose position is trusted for the assignment.
NOSE_MIN_SCORE = 0.3
NOSE = 0
#: Margin added around a person's head region before looking for faces in it, as a fraction of the box
#: width (sideways) and height (above): a head can stick out of a loose person box.
HEAD_MARGIN = 0.15
#: Faces found in two overlapping head regions with an IoU above this are the same face.
SAME_FACE_IOU = 0.5


def assign_faces(
    people: Sequence[PersonDetection], faces: Sequence[FaceAnalysis]
) -> list[FaceAnalysis | None]:
    """For each person (same order as ``people``), its face or None."""
    result: list[FaceAnalysis | None] = [None] * len(people)
    for face in sorted(faces, key=lambda f: -f.detection.confidence):
        fb = face.detection.box
        cx, cy = fb.left + fb.width / 2, fb.top + fb.height / 2
        best: tuple[float, int] | None = None
        for i, person in enumerate(people):
            if result[i] is not None:
                continue
            pb = person.box
            if not (pb.left <= cx <= pb.right and pb.top <= cy <= pb.top + HEAD_FRACTION * pb.height):
                continue
            if person.keypoints is not None and person.keypoints[NOSE, 2] > NOSE_MIN_SCORE:
                nx, ny = float(person.keypoints[NOSE, 0]), float(person.keypoints[NOSE, 1])
                gap = ((nx - cx) ** 2 + (ny - cy) ** 2) ** 0.5
            else:
                gap = abs(pb.left + pb.width / 2 - cx) + abs(pb.top - cy)
            if best is None or gap < best[0]:
                best = (gap, i)
        if best is not None:
            result[best[1]] = face
    return result


def _head_region(box: BoundingBox, width: int, height: int) -> tuple[int, int, int, int]:
    x1 = int(max(0.0, box.left - HEAD_MARGIN * box.width) * width)
    x2 = int(min(1.0, box.right + HEAD_MARGIN * box.width) * width + 0.999)
    y1 = int(max(0.0, box.top - HEAD_MARGIN * box.height) * height)
    y2 = int(min(1.0, box.top + HEAD_FRACTION * box.height) * height + 0.999)
    return x1, y1, x2, y2


def _to_frame(face: FaceAnalysis, region: tuple[int, int, int, int], width: int, height: int) -> FaceAnalysis:
    """Map a face found in a crop back to ratios of the whole frame (pose and quality are unchanged:
    they were computed on the same pixels at the same scale)."""
    x1, y1, x2, y2 = region
    cw, ch = x2 - x1, y2 - y1
    b = face.detection.box
    box = BoundingBox.from_corners(
        (x1 + b.left * cw) / width,
        (y1 + b.top * ch) / height,
        (x1 + b.right * cw) / width,
        (y1 + b.bottom * ch) / height,
    )
    landmarks = {
        name: ((x1 + x * cw) / width, (y1 + y * ch) / height)
        for name, (x, y) in face.detection.landmarks.items()
    }
    detection = dataclasses.replace(face.detection, box=box, landmarks=landmarks)
    return dataclasses.replace(face, detection=detection)


def faces_of_people(
    image: RGBImage, people: Sequence[PersonDetection], detector: FaceDetector
) -> list[FaceAnalysis | None]:
    """Detect faces in each person's head region only (much less work than the whole frame: the face
    detector's cost grows with the pixel count) and assign them with :func:`assign_faces`."""
    height, width = int(image.shape[0]), int(image.shape[1])
    found: list[FaceAnalysis] = []
    for person in people:
        region = _head_region(person.box, width, height)
        x1, y1, x2, y2 = region
        if x2 - x1 < 12 or y2 - y1 < 12:
            continue
        for face in analyse_faces(image[y1:y2, x1:x2], detector):
            mapped = _to_frame(face, region, width, height)
            if all(mapped.detection.box.iou(f.detection.box) <= SAME_FACE_IOU for f in found):
                found.append(mapped)
    return assign_faces(people, found)
