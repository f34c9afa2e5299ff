"""Analyse the faces of one image: detect, then pose, quality and (optionally) more per face.

What runs after detection is given as :class:`FaceModels`: facemesh (pose from the mesh, the 30
landmarks), the iris model (EyeDirection, pupils) and the attribute model (age, gender, emotions,
eyes/mouth open). Without facemesh, or where the mesh sees no face, pose comes from the five landmarks
and the 30 landmarks and EyeDirection are left out. :meth:`workers.models.Models.attribute_model_for`
picks the models a request's attributes need.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.detection import RGBImage
from pipelines.faces.attributes import FaceAttributeModel
from pipelines.faces.detection import FaceDetection, FaceDetector
from pipelines.faces.iris import EyeReading, IrisModel
from pipelines.faces.landmarks import named_landmarks
from pipelines.faces.mesh import FaceMesh, FaceMeshModel
from pipelines.faces.pose import landmark_pose, mesh_pose
from pipelines.faces.quality import measure_quality
from pipelines.faces.types import FaceAnalysis, FaceAttributes, Pose


@dataclass(frozen=True)
class FaceModels:
    """The per-face models run after detection; any may be absent."""

    mesh: FaceMeshModel | None = None
    iris: IrisModel | None = None
    attributes: FaceAttributeModel | None = None


def analyse_faces(
    image: RGBImage, detector: FaceDetector, models: FaceModels | FaceAttributeModel | None = None
) -> list[FaceAnalysis]:
    """Every face in ``image``, highest confidence first. ``models``: what runs per face (a bare
    attribute model means attributes only, pose from the landmarks)."""
    chosen = FaceModels(attributes=models) if isinstance(models, FaceAttributeModel) else models
    return analyse_detections(image, detector.detect(image), chosen or FaceModels())


def analyse_detections(
    image: RGBImage, detections: list[FaceDetection], models: FaceModels
) -> list[FaceAnalysis]:
    """Pose, quality and what ``models`` give for faces already detected in ``image``."""
    height, width = int(image.shape[0]), int(image.shape[1])
    meshes: list[FaceMesh | None] = (
        models.mesh.measure(image, detections) if models.mesh is not None else [None] * len(detections)
    )
    poses = [
        mesh_pose(mesh.points) if mesh is not None else landmark_pose(detection, width, height)
        for detection, mesh in zip(detections, meshes, strict=True)
    ]
    eyes = _eye_readings(image, meshes, poses, models.iris)
    found: list[FaceAttributes | None] = (
        list(models.attributes.analyse(image, [d.box for d in detections]))
        if models.attributes is not None
        else [None] * len(detections)
    )
    analyses = []
    for detection, mesh, pose, eye, attributes in zip(detections, meshes, poses, eyes, found, strict=True):
        analyses.append(
            FaceAnalysis(
                detection=detection,
                pose=pose,
                quality=measure_quality(image, detection.box),
                attributes=attributes,
                landmarks=(
                    named_landmarks(detection, mesh.points, width, height, eye.pupils if eye else None)
                    if mesh is not None
                    else None
                ),
                eye_direction=eye.direction if eye is not None else None,
            )
        )
    return analyses


def _eye_readings(
    image: RGBImage, meshes: list[FaceMesh | None], poses: list[Pose], iris: IrisModel | None
) -> list[EyeReading | None]:
    """The iris model's reading of each meshed face (None without a mesh or without the model)."""
    readings: list[EyeReading | None] = [None] * len(meshes)
    if iris is None:
        return readings
    meshed = [i for i, mesh in enumerate(meshes) if mesh is not None]
    found = iris.read(image, [m for m in meshes if m is not None], [poses[i] for i in meshed])
    for i, reading in zip(meshed, found, strict=True):
        readings[i] = reading
    return readings
