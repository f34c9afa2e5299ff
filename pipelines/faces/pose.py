"""Head pose (Roll, Yaw, Pitch in degrees): from facemesh's 3-D points when the mesh ran, else from MTCNN's
five landmarks.

Conventions (both estimates): Roll is the angle of the line from the eye on the image's left to the eye
on the image's right, positive when the face is rotated clockwise in the image; Yaw is positive when the
nose points to the image's right (the person turns to their left); Pitch is positive when the face looks
up. Yaw and Pitch are in -90..90, Roll in -180..180.

**From the mesh** (:func:`mesh_pose`): the head's axes are read off the mesh's own 3-D points (x, y in
image pixels, z the mesh's depth in the same unit): across = the sum of the vectors between symmetric
points (outer eye corners 33-263, inner corners 133-362, mouth corners 61-291, brows 70-300), down =
forehead 10 -> chin 152 plus nose bridge 168 -> upper lip 0, made orthogonal to across; forward is their
cross product. Fitting MediaPipe's canonical face model to all 468 points (Procrustes, or the 2-D points
only) gave the same angles within 1-2 degrees, so no model file is needed. The mesh is rigid: its
eye-corner to face-height ratio varies least with depth taken as it comes (scale 0.8-1.0).

**From the five landmarks** (:func:`landmark_pose`, used where no mesh ran or the mesh saw no face): a
weak-perspective model with the nose tip ``NOSE_DEPTH`` inter-ocular distances in front of the eye/mouth
plane: ``yaw = atan(offset / (eye_distance * NOSE_DEPTH))``, ``offset`` the nose's distance from the
midline through the eye and mouth midpoints (after undoing Roll); the nose sits ``FRONTAL_NOSE_RATIO`` of
the way from the eye line to the mouth line in a frontal face, and a face tilted up moves it towards the
eyes: ``pitch = atan((FRONTAL_NOSE_RATIO - ratio) * eye_to_mouth / (eye_distance * NOSE_DEPTH))``.

**Yaw calibration.** Both geometric estimates read turned faces short: on the 112 labelled faces of
``shared/media/faces/pose`` (yaw judged by eye, +-10-15 degrees) the mesh reads 0.71 of the labelled yaw
and the landmarks 0.69 (least squares through 0), frontal, three-quarter and profile alike: landmark
models regress towards the frontal face they mostly saw (the set's 65-85 degree profiles read 37-50 from
the mesh, 37-48 from MTCNN's points). Yaw is therefore reported as ``gain x geometric yaw``
(``MESH_YAW_GAIN``, ``LANDMARK_YAW_GAIN``), clipped to +-90. Measured in ``benchmarks/face_pose.py``
(mean absolute |yaw| error, all / frontal / three-quarter / profile): five landmarks as shipped before
7.4 / 4.0 / 15.8 / 31.6 degrees; facemesh with its gain fitted on the other identities
(leave-one-identity-out) 6.3 / 4.6 / 11.3 / 11.7; with the shipped 1.4, 6.1 / 4.6 / 11.0 / 11.1. Mirrored
photos read the negated yaw within 1.3 degrees (sd). Pitch has no labels to calibrate on and is the
geometric angle (the frontal photos read -5 +- 7 degrees from the mesh).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from pipelines.faces.detection import FaceDetection
from pipelines.faces.mesh import MeshPoints
from pipelines.faces.types import Pose

#: Nose-tip depth in front of the eye/mouth plane, in inter-ocular distances (anthropometric average ~0.6).
NOSE_DEPTH = 0.6
#: Where the nose tip lies between the eye line (0) and the mouth line (1) in a frontal face; the mean of
#: MTCNN's landmarks on the frontal photos in shared/media/faces.
FRONTAL_NOSE_RATIO = 0.56

#: Reported yaw = gain x geometric yaw (see the module docstring). Fitted on the labelled pose set by
#: least squares through 0: mesh 1.41 (leave-one-identity-out fits 1.37-1.46), landmarks 1.45
#: (1.38-1.51). Range that makes sense: 1.0 (the geometry as it is) to 1.5 (the turned faces alone).
MESH_YAW_GAIN = 1.4
LANDMARK_YAW_GAIN = 1.4

#: MediaPipe points whose vector (first -> second) runs across the face from the image's left to its
#: right in a frontal face, and points whose vector runs down it.
ACROSS_PAIRS = ((33, 263), (133, 362), (61, 291), (70, 300))
DOWN_PAIRS = ((10, 152), (168, 0))


def _calibrated_yaw(degrees: float, gain: float) -> float:
    return max(-90.0, min(90.0, gain * degrees))


def head_axes(points: MeshPoints) -> npt.NDArray[np.float64]:
    """The head's rotation as a 3x3 matrix whose columns are its across, down and backward axes in image
    coordinates (x right, y down, z away from the camera); the identity for a frontal, upright face."""
    p = points.astype(np.float64)
    across = sum((p[b] - p[a] for a, b in ACROSS_PAIRS), np.zeros(3))
    across /= max(float(np.linalg.norm(across)), 1e-9)
    down = sum((p[b] - p[a] for a, b in DOWN_PAIRS), np.zeros(3))
    down -= across * float(down @ across)
    down /= max(float(np.linalg.norm(down)), 1e-9)
    return np.stack([across, down, np.cross(across, down)], axis=1)


def geometric_angles(axes: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    """(roll, yaw, pitch) in degrees of a head rotation (:func:`head_axes`), uncalibrated."""
    across = axes[:, 0]
    forward = -axes[:, 2]  # towards the camera for a frontal face
    yaw = math.atan2(forward[0], -forward[2])
    pitch = math.atan2(-forward[1], math.hypot(forward[0], forward[2]))
    roll = math.atan2(across[1], across[0])
    return math.degrees(roll), math.degrees(yaw), math.degrees(pitch)


def mesh_pose(points: MeshPoints) -> Pose:
    """The calibrated pose of a face from its mesh."""
    roll, yaw, pitch = geometric_angles(head_axes(points))
    return Pose(roll=roll, yaw=_calibrated_yaw(yaw, MESH_YAW_GAIN), pitch=pitch)


def landmark_geometric_pose(face: FaceDetection, image_width: int, image_height: int) -> Pose:
    """Roll/Yaw/Pitch of ``face`` from its five landmarks, uncalibrated (what vidrek reported before the
    mesh; kept for the benchmark)."""
    pts = {name: (x * image_width, y * image_height) for name, (x, y) in face.landmarks.items()}
    (lx, ly), (rx, ry) = pts["eyeLeft"], pts["eyeRight"]
    roll = math.atan2(ry - ly, rx - lx)
    cx, cy = (lx + rx) / 2, (ly + ry) / 2
    cos_r, sin_r = math.cos(-roll), math.sin(-roll)

    def upright(name: str) -> tuple[float, float]:
        x, y = pts[name][0] - cx, pts[name][1] - cy
        return x * cos_r - y * sin_r, x * sin_r + y * cos_r

    eye_distance = math.hypot(rx - lx, ry - ly)
    if eye_distance <= 1e-6:
        return Pose(roll=math.degrees(roll), yaw=0.0, pitch=0.0)
    nose_x, nose_y = upright("nose")
    ml, mr = upright("mouthLeft"), upright("mouthRight")
    mouth_x, mouth_y = (ml[0] + mr[0]) / 2, (ml[1] + mr[1]) / 2
    # the midline runs from the eye midpoint (0, 0) to the mouth midpoint
    midline_x = mouth_x * (nose_y / mouth_y) if abs(mouth_y) > 1e-6 else 0.0
    depth = eye_distance * NOSE_DEPTH
    yaw = math.atan2(nose_x - midline_x, depth)
    ratio = nose_y / mouth_y if abs(mouth_y) > 1e-6 else FRONTAL_NOSE_RATIO
    pitch = math.atan2((FRONTAL_NOSE_RATIO - ratio) * mouth_y, depth)
    return Pose(roll=math.degrees(roll), yaw=math.degrees(yaw), pitch=math.degrees(pitch))


def landmark_pose(face: FaceDetection, image_width: int, image_height: int) -> Pose:
    """The calibrated pose of ``face`` from its five landmarks (no mesh)."""
    pose = landmark_geometric_pose(face, image_width, image_height)
    return Pose(roll=pose.roll, yaw=_calibrated_yaw(pose.yaw, LANDMARK_YAW_GAIN), pitch=pose.pitch)
