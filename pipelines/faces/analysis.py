"""Analyse the faces of one image: detect, then pose, quality and (optionally) attributes per face."""

from __future__ import annotations

from pipelines.detection import RGBImage
from pipelines.faces.attributes import FaceAttributeModel
from pipelines.faces.detection import FaceDetector
from pipelines.faces.pose import estimate_pose
from pipelines.faces.quality import measure_quality
from pipelines.faces.types import FaceAnalysis


def analyse_faces(
    image: RGBImage, detector: FaceDetector, attributes: FaceAttributeModel | None = None
) -> list[FaceAnalysis]:
    """Every face in ``image``, highest confidence first; attributes only when a model is given."""
    height, width = int(image.shape[0]), int(image.shape[1])
    detections = detector.detect(image)
    found = attributes.analyse(image, [d.box for d in detections]) if attributes is not None else []
    return [
        FaceAnalysis(
            detection=detection,
            pose=estimate_pose(detection, width, height),
            quality=measure_quality(image, detection.box),
            attributes=found[i] if found else None,
        )
        for i, detection in enumerate(detections)
    ]
