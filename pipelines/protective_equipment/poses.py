"""Body keypoints of each detected person, by running MoveNet on a crop around the person's box.

Why crops (top-down) rather than MoveNet on the whole image: measured on ../shared/media, MoveNet
MultiPose on the whole image (256 px input) merged the two people of ``faces/two_people.jpg`` into boxes
that each cover half the photo, and found only 2 of the people of ``kite.jpg``; the COCO detector's
person boxes are right in both, and MoveNet on a crop of each box sees the person at a usable scale.

For each person box the crop is the box grown by ``margin`` (a ratio of the box side, each side) and
clipped to the image; of the poses MoveNet finds in the crop, the one whose own box overlaps the person's
box most (IoU, at least ``min_iou``) is the person's pose; no such pose -> no keypoints for that person.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipelines.detection import RGBImage
from pipelines.geometry import BoundingBox
from pipelines.persons.detection import Keypoints, PersonDetector

#: Each crop is the person box grown by this ratio of its width/height on every side (0..1). Too small
#: cuts off raised hands and MoveNet loses a person touching the crop border; too large lets a
#: neighbour's pose win the crop.
DEFAULT_MARGIN = 0.15
#: Smallest IoU between MoveNet's box (in the crop) and the person box for the pose to be that person's.
DEFAULT_MIN_IOU = 0.3


def crop_box(box: BoundingBox, margin: float) -> BoundingBox:
    """``box`` grown by ``margin`` x its width/height on every side, clipped to the image."""
    return BoundingBox.from_corners(
        box.left - margin * box.width,
        box.top - margin * box.height,
        box.right + margin * box.width,
        box.bottom + margin * box.height,
    )


def _to_crop(box: BoundingBox, crop: BoundingBox) -> BoundingBox:
    return BoundingBox.from_corners(
        (box.left - crop.left) / crop.width,
        (box.top - crop.top) / crop.height,
        (box.right - crop.left) / crop.width,
        (box.bottom - crop.top) / crop.height,
    )


def person_keypoints(
    image: RGBImage,
    boxes: Sequence[BoundingBox],
    pose_detector: PersonDetector,
    *,
    margin: float = DEFAULT_MARGIN,
    min_iou: float = DEFAULT_MIN_IOU,
) -> list[Keypoints | None]:
    """For each box (ratios of ``image``): its [17, 3] keypoints in ratios of ``image``, or ``None``."""
    height, width = image.shape[:2]
    result: list[Keypoints | None] = []
    for box in boxes:
        crop = crop_box(box, margin)
        x1, x2 = int(crop.left * width), int(np.ceil(crop.right * width))
        y1, y2 = int(crop.top * height), int(np.ceil(crop.bottom * height))
        if x2 - x1 < 2 or y2 - y1 < 2:
            result.append(None)
            continue
        pixels = np.ascontiguousarray(image[y1:y2, x1:x2])
        # The crop in ratios of the image, exactly as cut (integer pixels).
        cut = BoundingBox(x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height)
        target = _to_crop(box, cut)
        best: Keypoints | None = None
        best_iou = min_iou
        for pose in pose_detector.detect(pixels):
            overlap = pose.box.iou(target)
            if pose.keypoints is not None and overlap >= best_iou:
                best, best_iou = pose.keypoints, overlap
        if best is None:
            result.append(None)
            continue
        keypoints = best.copy()
        keypoints[:, 0] = cut.left + keypoints[:, 0] * cut.width
        keypoints[:, 1] = cut.top + keypoints[:, 1] * cut.height
        result.append(keypoints)
    return result
