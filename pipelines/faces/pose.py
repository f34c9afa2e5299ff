"""Head pose (Roll, Yaw, Pitch in degrees) estimated from MTCNN's five landmarks.

Method (a weak-perspective model of the face, no 3D fit):
- Roll: the angle of the line from the eye on the image's left to the eye on the image's right, in pixels;
  positive when the face is rotated clockwise in the image.
- The landmarks are then rotated by -Roll about the eye midpoint, so the eyes lie on a horizontal line.
- Yaw: the nose tip moves sideways by ``depth * sin(yaw)`` while the eye distance shrinks by ``cos(yaw)``;
  with the nose tip ``NOSE_DEPTH`` inter-ocular distances in front of the eye/mouth plane,
  ``yaw = atan(offset / (eye_distance * NOSE_DEPTH))`` where ``offset`` is the nose's horizontal distance
  from the midline through the eye midpoint and the mouth midpoint. Positive when the nose points to the
  image's right (the person turns to their left).
- Pitch: the nose tip sits at ``FRONTAL_NOSE_RATIO`` of the way from the eye line to the mouth line in a
  frontal face; a face tilted up moves it towards the eyes.
  ``pitch = atan((FRONTAL_NOSE_RATIO - ratio) * eye_to_mouth / (eye_distance * NOSE_DEPTH))``, positive
  when the face looks up.

Accuracy limits: landmarks are MTCNN's (a few pixels of error on small faces); the constants are averages
of human faces, so a frontal face reads within about +-10 degrees of 0; beyond about 45 degrees of yaw
MTCNN's landmarks collapse and the estimate saturates. Treat the angles as coarse (frontal / turned /
strongly turned), not as a measurement.
"""

from __future__ import annotations

import math

from pipelines.faces.detection import FaceDetection
from pipelines.faces.types import Pose

#: Nose-tip depth in front of the eye/mouth plane, in inter-ocular distances (anthropometric average ~0.6).
NOSE_DEPTH = 0.6
#: Where the nose tip lies between the eye line (0) and the mouth line (1) in a frontal face; the mean of
#: MTCNN's landmarks on the frontal photos in shared/media/faces.
FRONTAL_NOSE_RATIO = 0.56


def estimate_pose(face: FaceDetection, image_width: int, image_height: int) -> Pose:
    """Roll/Yaw/Pitch of ``face`` (degrees, Roll in -180..180, Yaw and Pitch in -90..90)."""
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
