"""Face attributes from human-models' faceres (age, gender), emotion and facemesh (eyes and mouth open,
see :mod:`pipelines.faces.mesh`) models, built by ``vidrek models``.

Pre-processing, verified on the identity photos:
- faceres (HSE_FaceRec_tf): the face crop (MTCNN's square box, not enlarged: enlarging it lowered the
  gender margin on every photo) resized bilinearly to 224x224, fed as it was trained: BGR minus the
  ImageNet means (:func:`pipelines.faces.faceres.as_faceres_input`) -> gender sigmoid [N,1] (1 = male),
  descriptor [N,1024], age softmax [N,100] (years 0..99). Fed plain RGB 0..255 (Human's way, used
  before), AgeRange read 7 years young on average and missed the true age on 3 of 12 identity photos;
  as trained: 4 years young, 12/12 ranges contain the reference age, gender margin 0.88 instead of 0.77
  (``benchmarks/README.md``, "Face descriptors").
- emotion (oarriaga/face_classification, FER-2013): the same crop, 64x64, grey
  (0.2989 R + 0.587 G + 0.114 B) / 255, then ``(g - 0.5) * 2`` -> softmax over angry, disgust, fear,
  happy, sad, surprise, neutral.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import onnxruntime
from PIL import Image

from pipelines.detection import RGBImage
from pipelines.faces.faceres import as_faceres_input, square_crop
from pipelines.faces.mesh import FaceMeshModel, load_face_mesh
from pipelines.faces.types import FaceAttributes
from pipelines.geometry import BoundingBox
from pipelines.models.registry import model_path
from pipelines.onnx_session import create_session

#: The emotion model's classes, in output order, as Rekognition's emotion types. FER-2013's "neutral"
#: is reported as CALM (Rekognition has no NEUTRAL); CONFUSED and UNKNOWN have no model output.
EMOTION_TYPES = ("ANGRY", "DISGUSTED", "FEAR", "HAPPY", "SAD", "SURPRISED", "CALM")

#: faceres outputs used (by name, not by position): gender sigmoid and age softmax.
FACERES_OUTPUTS = ["gender_pred/Sigmoid:0", "age_pred/Softmax:0"]

#: AgeRange percentiles of faceres' age distribution: wider bounds are right more often but say less.
AGE_LOW_QUANTILE = 0.2
AGE_HIGH_QUANTILE = 0.8


class FaceAttributeModel:
    """Age, gender, emotions, eyes and mouth open of faces. Thread-safe (one inference at a time)."""

    model_version = "human-models-3.0.4-faceres+emotion+facemesh"

    def __init__(
        self,
        faceres: onnxruntime.InferenceSession,
        emotion: onnxruntime.InferenceSession,
        mesh: FaceMeshModel,
    ) -> None:
        self._faceres = faceres
        self._emotion = emotion
        self._mesh = mesh
        self._lock = threading.Lock()

    def analyse(self, image: RGBImage, boxes: list[BoundingBox]) -> list[FaceAttributes]:
        """Attributes of each face box in ``image`` (one batch per model)."""
        if not boxes:
            return []
        crops = np.stack([square_crop(image, box, 1.0) for box in boxes])
        small = (
            np.stack(
                [np.asarray(Image.fromarray(c).resize((64, 64), Image.Resampling.BILINEAR)) for c in crops]
            ).astype(np.float32)
            / 255.0
        )
        grey = small[..., 0] * 0.2989 + small[..., 1] * 0.587 + small[..., 2] * 0.114
        with self._lock:
            gender, age = self._faceres.run(FACERES_OUTPUTS, {"input_1:0": as_faceres_input(crops)})
            emotions = self._emotion.run(None, {"input_1:0": ((grey - 0.5) * 2.0)[..., None]})[0]
        meshes = self._mesh.analyse(image, boxes)
        results = []
        for i, mesh in enumerate(meshes):
            cdf = np.cumsum(age[i])
            low = int(np.searchsorted(cdf, AGE_LOW_QUANTILE))
            high = max(low, int(np.searchsorted(cdf, AGE_HIGH_QUANTILE)))
            results.append(
                FaceAttributes(
                    age_low=low,
                    age_high=high,
                    male_probability=float(gender[i, 0]),
                    emotions={name: float(p) for name, p in zip(EMOTION_TYPES, emotions[i], strict=True)},
                    eyes_open_probability=mesh.eyes_open_probability if mesh else None,
                    mouth_open_probability=mesh.mouth_open_probability if mesh else None,
                )
            )
        return results


def load_attribute_model(model_dir: Path, threads: int) -> FaceAttributeModel:
    """faceres + emotion + facemesh from ``model_dir`` (raises ModelNotBuiltError if not built)."""
    return FaceAttributeModel(
        create_session(model_path("faceres", model_dir), threads),
        create_session(model_path("emotion", model_dir), threads),
        load_face_mesh(model_dir, threads),
    )
