"""EyeDirection (and the pupils) from human-models' ``iris`` model (MediaPipe Iris), built by
``vidrek models``, on the eyes facemesh found.

Why the iris model: facemesh's 468 points contain no iris or pupil; its eye points follow the lids.
Moving the iris and sclera inside the lids of 25 photos sideways by 15 % of the eye's width (the lids
left in place) moved the facemesh eye-contour centre by 0.0 degrees and the iris model's gaze by 12-13
degrees (``benchmarks/face_pose.py``, section eyes).

Input as Human feeds it: per eye, the square of ``EYE_CROP_ENLARGE`` x the distance between the eye's
corners around their midpoint, turned so that the eyes are level, 64x64, RGB / 255; the model was
trained on the eye on the image's left, so the other eye is mirrored before and its points after.
Output ``Identity:0`` [N, 1, 1, 228]: 76 points x (x, y, z) in crop pixels: 71 eye-contour and brow
points (the first 16 match facemesh's lid contour), then 5 iris points, the iris centre first.

Gaze (per eye): the eyeball is a sphere of radius ``EYEBALL_RADIUS`` eye widths whose centre lies
``EYEBALL_DEPTH`` eye widths behind the middle of the eye corners along the head's backward axis (the
eye width and the axes from the mesh's 3-D points, so neither shrinks when the head turns); the iris
centre lies on the sphere, and the gaze runs from the centre through it. Both eyes' gaze vectors are
averaged; their yaw and pitch in the camera's frame minus the head's :class:`~pipelines.faces.types.Pose`
is ``EyeDirection`` (gaze relative to the head, "independent of the head pose" as botocore's
documentation puts it). Measured on 42 photos of people looking into the camera (pose set): the
camera-frame gaze (Pose + EyeDirection) reads yaw +0.4 +- 5.4 and pitch +0.8 +- 5.0 degrees (mean +- sd;
mean absolute 4.3 each). Moving the iris inside the lids by 15 % of the eye width reads 12-13 degrees
(a 12 mm eyeball would turn 21: the shifted iris is partly cut by the lids).

Confidence = 100 x P(eyes open) (facemesh's lid gap, :mod:`pipelines.faces.mesh`) x
``exp(-d^2 / (2 EYE_AGREEMENT_DEGREES^2))``, ``d`` the angle between the two eyes' gaze: a closed eye
has no gaze, and an eye hidden by a turned head disagrees with the other one.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime

from pipelines.detection import RGBImage
from pipelines.faces.mesh import LEFT_EYE_CORNERS, RIGHT_EYE_CORNERS, FaceMesh, SquareCrop
from pipelines.faces.pose import head_axes
from pipelines.faces.types import EyeDirection, Pose
from pipelines.models.registry import model_path
from pipelines.onnx_session import create_session

INPUT_SIDE = 64
INPUT_NAME = "input_1:0"
OUTPUT_NAME = "Identity:0"
#: Index of the iris centre among the 76 output points.
IRIS_CENTRE = 71

#: The eye crop's side in corner-to-corner distances (Human's ``irisEnlarge``).
EYE_CROP_ENLARGE = 2.3
#: Eyeball radius and the depth of its centre behind the eye corners, in eye widths (3-D corner to corner
#: distance). Anatomy: a 12 mm eyeball, a ~28-30 mm palpebral fissure (0.42). The depth 0.2 makes the
#: camera-looking photos read pitch 0 on average (0.0: +4.6, 0.1: +2.6, 0.2: +0.6, 0.3: -1.4 degrees);
#: their yaw does not depend on it (mean +0.4..+0.6).
EYEBALL_RADIUS = 0.42
EYEBALL_DEPTH = 0.2
#: Angle (degrees) between the two eyes' gaze that lowers the confidence to 61 %: the p90 of that angle on
#: the camera-looking photos (median 15, p90 26; turned faces: median 22, p90 40), so that those photos
#: read Confidence 83 (median, p10 59) and the turned faces 69 (p10 28).
EYE_AGREEMENT_DEGREES = 25.0


@dataclass(frozen=True)
class EyeReading:
    """The iris model's answer for one face: EyeDirection, the iris centres in image pixels (the eye on
    the image's left first) and the angle in degrees between the two eyes' gaze."""

    direction: EyeDirection
    pupils: tuple[tuple[float, float], tuple[float, float]]
    disagreement: float


def _eye_square(points: npt.NDArray[np.float32], corners: tuple[int, int], angle: float) -> SquareCrop:
    a, b = points[corners[0], :2], points[corners[1], :2]
    centre = (a + b) / 2
    side = max(float(np.linalg.norm(a - b)), 1.0) * EYE_CROP_ENLARGE
    return SquareCrop.square(float(centre[0]), float(centre[1]), side, angle, INPUT_SIDE)


def _gaze(
    points: npt.NDArray[np.float32],
    corners: tuple[int, int],
    iris: npt.NDArray[np.float32],
    backward: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """The unit gaze vector of one eye (image axes: x right, y down, z away from the camera)."""
    a, b = points[corners[0]].astype(np.float64), points[corners[1]].astype(np.float64)
    width = max(float(np.linalg.norm(a - b)), 1e-6)
    centre = (a + b) / 2 + backward * EYEBALL_DEPTH * width
    offset = (iris.astype(np.float64) - centre[:2]) / (EYEBALL_RADIUS * width)
    length = float(np.linalg.norm(offset))
    if length > 0.99:
        offset *= 0.99 / length
    return np.array([offset[0], offset[1], -math.sqrt(1.0 - float(offset @ offset))])


def _angles(gaze: npt.NDArray[np.float64]) -> tuple[float, float]:
    """(yaw, pitch) in degrees of a gaze vector, in Pose's conventions."""
    yaw = math.atan2(gaze[0], -gaze[2])
    pitch = math.atan2(-gaze[1], math.hypot(gaze[0], gaze[2]))
    return math.degrees(yaw), math.degrees(pitch)


class IrisModel:
    """Iris centres and eye direction of meshed faces. Thread-safe (one inference at a time)."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session
        self._lock = threading.Lock()

    def read(self, image: RGBImage, meshes: list[FaceMesh], poses: list[Pose]) -> list[EyeReading]:
        """EyeDirection and pupils of each face (``poses``: the faces' reported head poses)."""
        if not meshes:
            return []
        squares: list[SquareCrop] = []
        crops: list[npt.NDArray[np.uint8]] = []
        for mesh in meshes:
            p = mesh.points
            angle = math.atan2(p[263, 1] - p[33, 1], p[263, 0] - p[33, 0])
            for corners, mirrored in ((LEFT_EYE_CORNERS, False), (RIGHT_EYE_CORNERS, True)):
                square = _eye_square(p, corners, angle)
                crop = square.crop(image, INPUT_SIDE)
                squares.append(square)
                crops.append(crop[:, ::-1] if mirrored else crop)
        batch = np.ascontiguousarray(np.stack(crops), dtype=np.float32) / 255.0
        with self._lock:
            raw = self._session.run([OUTPUT_NAME], {INPUT_NAME: batch})[0]
        eyes = np.asarray(raw, dtype=np.float32).reshape(len(crops), -1, 3)
        readings = []
        for i, (mesh, pose) in enumerate(zip(meshes, poses, strict=True)):
            backward = head_axes(mesh.points)[:, 2]
            irises, gazes = [], []
            for j, corners in enumerate((LEFT_EYE_CORNERS, RIGHT_EYE_CORNERS)):
                centre = eyes[2 * i + j, IRIS_CENTRE, :2].copy()
                if j == 1:  # the mirrored eye
                    centre[0] = INPUT_SIDE - centre[0]
                iris = squares[2 * i + j].to_image(centre[None])[0]
                irises.append((float(iris[0]), float(iris[1])))
                gazes.append(_gaze(mesh.points, corners, iris, backward))
            disagreement = math.degrees(math.acos(max(-1.0, min(1.0, float(gazes[0] @ gazes[1])))))
            mean = gazes[0] + gazes[1]
            yaw, pitch = _angles(mean / max(float(np.linalg.norm(mean)), 1e-9))
            agreement = math.exp(-0.5 * (disagreement / EYE_AGREEMENT_DEGREES) ** 2)
            readings.append(
                EyeReading(
                    direction=EyeDirection(
                        yaw=yaw - pose.yaw,
                        pitch=pitch - pose.pitch,
                        confidence=100.0 * mesh.state.eyes_open_probability * agreement,
                    ),
                    pupils=(irises[0], irises[1]),
                    disagreement=disagreement,
                )
            )
        return readings


def load_iris_model(model_dir: Path, threads: int) -> IrisModel:
    return IrisModel(create_session(model_path("iris", model_dir), threads))
