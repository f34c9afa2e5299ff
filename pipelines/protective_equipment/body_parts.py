"""Body part regions (FACE, HEAD, LEFT_HAND, RIGHT_HAND) from a person's 17 COCO body keypoints.

Keypoints (MoveNet, COCO order): 0 nose, 1 left eye, 2 right eye, 3 left ear, 4 right ear, 5/6 shoulders,
7/8 elbows, 9/10 wrists, ... "Left" is the person's own left, as in Rekognition's LEFT_HAND. A keypoint
is *seen* when its score is at least ``min_score``. All geometry is in pixels (so that distances are
isotropic) and the regions are returned as ratios of the image, clipped to it. The proportions are
average adult head and hand proportions; they were checked against MTCNN's face boxes on the photos of
../shared/media (tests/unit/test_protective_equipment.py).

- **FACE** (forehead to chin, ear to ear): needs the nose or an eye seen and at least two of the five
  head keypoints seen (a head seen from behind shows only ears: no FACE). Face width ``w`` = the
  largest of: ear-to-ear distance, 2.2 x eye-to-eye distance, 2.5 x the largest nose-to-eye distance,
  with both ends seen (at least 0.05 x the person box height). Height = 1.35 w; centred on the seen
  nose and eyes horizontally; the eye line is at 40 % of the height from the top (eye line = mean of the
  seen eyes, else 0.15 x height above the nose). Confidence = 100 x the mean score of nose and eyes.
- **HEAD** (skull top to chin, including the ears): needs two of the five head keypoints seen. The face
  box widened to 1.25 w (at least 1.2 x ear-to-ear) and raised by 0.35 x the face height at the top.
  Without nose and eyes (a head from behind) the centre is the ears' midpoint and the eye line their
  height. Confidence = 100 x the mean of the three best head keypoint scores.
- **LEFT_HAND / RIGHT_HAND**: needs the wrist seen. With the elbow seen, the hand continues the forearm:
  a square of side = forearm length (elbow to wrist) centred 0.4 forearm beyond the wrist; without
  it, a square of side 0.12 x person box height centred on the wrist. Confidence = 100 x wrist score.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pipelines.geometry import BoundingBox
from pipelines.persons.detection import Keypoints
from pipelines.protective_equipment.types import BodyPartName, BodyPartRegion

NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR = 0, 1, 2, 3, 4
LEFT_ELBOW, RIGHT_ELBOW, LEFT_WRIST, RIGHT_WRIST = 7, 8, 9, 10
HEAD_POINTS = (NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR)

#: Default score a keypoint needs to be *seen* (MoveNet, 0..1; VIDREK_PPE_KEYPOINT_MIN_SCORE).
DEFAULT_MIN_SCORE = 0.3

FACE_HEIGHT_PER_WIDTH = 1.35
EYE_LINE_FROM_TOP = 0.40
HEAD_WIDTH_PER_FACE = 1.25
HEAD_WIDTH_PER_EARS = 1.2
HEAD_EXTRA_TOP = 0.35
MIN_FACE_WIDTH_PER_PERSON = 0.05
HAND_OFFSET_PER_FOREARM = 0.4
HAND_SIDE_PER_FOREARM = 1.0
HAND_SIDE_PER_PERSON = 0.12


def _box(cx: float, cy: float, w: float, h: float, width: int, height: int) -> BoundingBox:
    return BoundingBox.from_corners(
        (cx - w / 2) / width, (cy - h / 2) / height, (cx + w / 2) / width, (cy + h / 2) / height
    )


def _box_from_top(cx: float, top: float, w: float, h: float, width: int, height: int) -> BoundingBox:
    return BoundingBox.from_corners(
        (cx - w / 2) / width, top / height, (cx + w / 2) / width, (top + h) / height
    )


class _Points:
    """Keypoints in pixels with their seen flags."""

    def __init__(self, keypoints: Keypoints, width: int, height: int, min_score: float) -> None:
        self.xy: npt.NDArray[np.float64] = keypoints[:, :2].astype(np.float64) * np.array([width, height])
        self.score: npt.NDArray[np.float64] = keypoints[:, 2].astype(np.float64)
        self.seen = self.score >= min_score

    def distance(self, a: int, b: int) -> float | None:
        if not (self.seen[a] and self.seen[b]):
            return None
        return float(np.linalg.norm(self.xy[a] - self.xy[b]))


def _head_geometry(points: _Points, person_height_px: float) -> tuple[float, float, float, float] | None:
    """(centre x, face top y, face width, face height) in pixels, or None if too few head points."""
    seen = [i for i in HEAD_POINTS if points.seen[i]]
    if len(seen) < 2:
        return None
    ears = points.distance(LEFT_EAR, RIGHT_EAR)
    eyes = points.distance(LEFT_EYE, RIGHT_EYE)
    nose_eye = [
        d for d in (points.distance(NOSE, LEFT_EYE), points.distance(NOSE, RIGHT_EYE)) if d is not None
    ]
    candidates = [MIN_FACE_WIDTH_PER_PERSON * person_height_px]
    if ears is not None:
        candidates.append(ears)
    if eyes is not None:
        candidates.append(2.2 * eyes)
    if nose_eye:
        candidates.append(2.5 * max(nose_eye))
    face_w = max(candidates)
    face_h = FACE_HEIGHT_PER_WIDTH * face_w
    front = [i for i in (NOSE, LEFT_EYE, RIGHT_EYE) if points.seen[i]]
    centre_points = front or seen
    cx = float(np.mean([points.xy[i, 0] for i in centre_points]))
    seen_eyes = [i for i in (LEFT_EYE, RIGHT_EYE) if points.seen[i]]
    if seen_eyes:
        eye_y = float(np.mean([points.xy[i, 1] for i in seen_eyes]))
    elif points.seen[NOSE]:
        eye_y = float(points.xy[NOSE, 1]) - 0.15 * face_h
    else:
        eye_y = float(np.mean([points.xy[i, 1] for i in seen]))
    return cx, eye_y - EYE_LINE_FROM_TOP * face_h, face_w, face_h


def body_part_regions(
    keypoints: Keypoints,
    person_box: BoundingBox,
    image_width: int,
    image_height: int,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[BodyPartRegion]:
    """The body parts whose keypoints were seen, in the order FACE, HEAD, LEFT_HAND, RIGHT_HAND."""
    points = _Points(keypoints, image_width, image_height, min_score)
    person_height_px = person_box.height * image_height
    regions: list[BodyPartRegion] = []
    head = _head_geometry(points, person_height_px)
    if head is not None:
        cx, face_top, face_w, face_h = head
        front_seen = points.seen[[NOSE, LEFT_EYE, RIGHT_EYE]]
        if front_seen.any():
            face_conf = 100.0 * float(points.score[[NOSE, LEFT_EYE, RIGHT_EYE]].mean())
            face = _box_from_top(cx, face_top, face_w, face_h, image_width, image_height)
            regions.append(BodyPartRegion("FACE", face, face_conf))
        ears = points.distance(LEFT_EAR, RIGHT_EAR) or 0.0
        head_w = max(HEAD_WIDTH_PER_FACE * face_w, HEAD_WIDTH_PER_EARS * ears)
        head_top = face_top - HEAD_EXTRA_TOP * face_h
        head_box = _box_from_top(
            cx, head_top, head_w, face_top + face_h - head_top, image_width, image_height
        )
        best = np.sort(points.score[list(HEAD_POINTS)])[-3:]
        regions.append(BodyPartRegion("HEAD", head_box, 100.0 * float(best.mean())))
    hands: tuple[tuple[BodyPartName, int, int], ...] = (
        ("LEFT_HAND", LEFT_WRIST, LEFT_ELBOW),
        ("RIGHT_HAND", RIGHT_WRIST, RIGHT_ELBOW),
    )
    for name, wrist, elbow in hands:
        if not points.seen[wrist]:
            continue
        forearm = points.distance(wrist, elbow)
        if forearm is not None and forearm > 1.0:
            direction = points.xy[wrist] - points.xy[elbow]
            centre = points.xy[wrist] + HAND_OFFSET_PER_FOREARM * direction
            side = HAND_SIDE_PER_FOREARM * forearm
        else:
            centre = points.xy[wrist]
            side = HAND_SIDE_PER_PERSON * person_height_px
        box = _box(float(centre[0]), float(centre[1]), side, side, image_width, image_height)
        if box.width > 0 and box.height > 0:
            regions.append(BodyPartRegion(name, box, 100.0 * float(points.score[wrist])))
    return regions
