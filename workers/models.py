"""The one place vidrek builds its models: :class:`Models`, built from the settings, handed to whoever
needs a model (the API's context, the worker's context, stream processor runs, the CLI).

Each model is built on first use, once per :class:`Models` (so once per process: each process builds one
``Models``), with the thread count of ``VIDREK_ONNX_THREADS``, and kept; :meth:`Models.warm` builds a
list ahead of time. No other module caches a model: ``pipelines`` only has plain constructors. Tests hand
a :class:`Models` subclass (or one whose builders are replaced) to ``create_app`` to run without models.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pipelines.calibration import DEFAULT_CALIBRATION, IDENTITY_CALIBRATION, ScoreCalibration
from pipelines.classification.imagenet import ImageNetClassifier
from pipelines.classification.label_scores import ClassifierLabels
from pipelines.detection import ObjectDetector
from pipelines.detectors.factory import create_detector
from pipelines.face_labels import FACE_MAX_SIDE
from pipelines.face_results import requested_attributes
from pipelines.faces.analysis import FaceModels
from pipelines.faces.attributes import FaceAttributeModel, load_attribute_model
from pipelines.faces.descriptors import is_fused
from pipelines.faces.detection import FaceDetector, create_face_detector
from pipelines.faces.embedding import DlibEmbedder, FaceEmbedder, FusedEmbedder
from pipelines.faces.faceres import load_faceres
from pipelines.faces.iris import IrisModel, load_iris_model
from pipelines.faces.mesh import FaceMeshModel, load_face_mesh
from pipelines.faces.mtcnn import MtcnnThresholds
from pipelines.frame_labeller import FrameLabeller, ImageLevelModels
from pipelines.image_level_calibration import ImageLevelCalibration
from pipelines.models.registry import model_path
from pipelines.moderation.scorer import ModerationScorer
from pipelines.persons.movenet import MoveNetPersonDetector
from pipelines.protective_equipment.analysis import EquipmentAnalysisSettings, ProtectiveEquipmentAnalyser
from pipelines.protective_equipment.equipment import EquipmentDetector
from pipelines.taxonomy import LabelTaxonomy
from pipelines.text.ocr import OcrParams
from pipelines.text.reader import TextReader
from workers.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

#: MoveNet score floor for DetectProtectiveEquipment's poses: the crop's pose is chosen by overlap with
#: the person box, not by MoveNet's score, so weak poses are kept (person tracking uses its own floor).
PPE_POSE_MIN_SCORE = 0.1

#: Names accepted by :meth:`Models.warm`, each the name of a builder method.
MODEL_NAMES = (
    "frame_labeller",
    "label_detector",
    "person_detector",
    "face_detector",
    "attribute_model",
    "face_mesh",
    "iris_model",
    "face_embedder",
    "text_reader",
    "moderation_scorer",
    "equipment_analyser",
)


class Models:
    """Every model of one process, built lazily from ``settings`` and kept; safe to share between threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._built: dict[str, Any] = {}
        self._lock = threading.RLock()  # a builder may ask for another model (PPE: detector + poses)

    def _get(self, name: str, build: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._built:
                log.info("loading model %s", name)
                self._built[name] = build()
            model: T = self._built[name]
            return model

    def warm(self, names: Iterable[str] = MODEL_NAMES) -> None:
        """Build the named models now (a failing one is logged, and raises again when it is used)."""
        for name in names:
            try:
                getattr(self, name)()
            except Exception:
                log.exception("model %s could not be loaded", name)

    # --- objects and people ---------------------------------------------------------------------------

    def label_detector(self) -> ObjectDetector:
        """The object detector of label detection (``VIDREK_DETECTOR*``), also the person finder of PPE."""
        s = self.settings
        return self._get(
            "label_detector",
            lambda: create_detector(
                s.detector,
                s.model_dir,
                layout=s.detector_layout,
                classes_file=s.detector_classes,
                input_size=s.detector_input_size,
                threads=s.onnx_threads,
                min_score=s.detector_min_score,
            ),
        )

    def label_calibration(self) -> ScoreCalibration:
        """CenterNet's scores are calibrated on labelled media; a user's model reports its own scores."""
        return DEFAULT_CALIBRATION if self.settings.detector == "centernet" else IDENTITY_CALIBRATION

    def frame_labeller(self, image_level: bool = True) -> FrameLabeller:
        """Label detection's models together (DetectLabels, StartLabelDetection): the label detector, and
        with ``image_level`` the ImageNet classifier with its label curves, MTCNN and the face attribute
        models (without: the detector alone, ``VIDREK_LABEL_CLASSIFIER_FPS=0``)."""
        if not image_level:
            return self._get(
                "object_labeller",
                lambda: FrameLabeller(
                    self.label_detector(), self.label_calibration(), LabelTaxonomy.load_default()
                ),
            )

        def build() -> FrameLabeller:
            taxonomy = LabelTaxonomy.load_default()
            calibration = ImageLevelCalibration.load_default()
            image_level = ImageLevelModels(
                classifier=self.image_classifier(),
                labels=ClassifierLabels(
                    taxonomy, calibration.classifier_own, calibration.classifier_ancestor
                ),
                faces=self.label_face_detector(),
                attributes=self.attribute_model(),
                face_calibration=calibration.face,
            )
            return FrameLabeller(self.label_detector(), self.label_calibration(), taxonomy, image_level)

        return self._get("frame_labeller", build)

    def label_face_detector(self) -> FaceDetector:
        """MTCNN for the Face, Man, Woman ... labels: the ``VIDREK_FACE_*`` thresholds, pictures analysed
        at most ``FACE_MAX_SIDE`` pixels long (the size video frames are sampled at for labels)."""
        s = self.settings
        return self._get(
            "label_face_detector",
            lambda: create_face_detector(
                s.onnx_threads,
                MtcnnThresholds(min_face_px=s.face_min_face_px, onet=s.face_detection_threshold),
                FACE_MAX_SIDE,
            ),
        )

    def image_classifier(self) -> ImageNetClassifier:
        """EfficientNet-Lite3: 1000 ImageNet class probabilities for a whole frame (image-level labels)."""
        s = self.settings
        return self._get(
            "image_classifier",
            lambda: ImageNetClassifier(model_path("efficientnet-lite3", s.model_dir), s.onnx_threads),
        )

    def person_detector(self) -> MoveNetPersonDetector:
        """MoveNet MultiPose with the ``VIDREK_PERSON_MIN_SCORE`` floor (person tracking, face search)."""
        s = self.settings
        return self._get(
            "person_detector",
            lambda: MoveNetPersonDetector(
                model_path("movenet-multipose", s.model_dir), s.onnx_threads, min_score=s.person_min_score
            ),
        )

    def equipment_analyser(self) -> ProtectiveEquipmentAnalyser:
        """DetectProtectiveEquipment: persons (label detector), poses (MoveNet) and the user's equipment
        model (``VIDREK_PPE_MODEL``); a model that does not load is reported in the answer, not raised."""
        s = self.settings

        def build() -> ProtectiveEquipmentAnalyser:
            equipment, problem = self._equipment_detector()
            return ProtectiveEquipmentAnalyser(
                self.label_detector(),
                self.label_calibration(),
                self.person_detector().with_min_score(PPE_POSE_MIN_SCORE),
                equipment,
                EquipmentAnalysisSettings(
                    person_min_confidence=s.ppe_person_min_confidence,
                    keypoint_min_score=s.ppe_keypoint_min_score,
                    cover_threshold=s.ppe_cover_threshold,
                ),
                equipment_model_problem=problem,
            )

        return self._get("equipment_analyser", build)

    def _equipment_detector(self) -> tuple[EquipmentDetector | None, str]:
        """(detector, problem): ``(None, "")`` without a configured model, ``(None, why)`` if it fails."""
        s = self.settings
        if not s.ppe_model:
            return None, ""
        try:
            detector = EquipmentDetector(
                Path(s.ppe_model),
                s.ppe_model_layout,
                dict(s.ppe_class_map),
                tuple(s.ppe_model_classes),
                input_size=s.ppe_model_input_size,
                threads=s.onnx_threads,
                min_score=s.ppe_model_min_score,
            )
        except Exception as err:  # any load failure of a user's model is reported, not raised
            log.error("VIDREK_PPE_MODEL %s is unusable: %s", s.ppe_model, err)
            return None, f"VIDREK_PPE_MODEL {s.ppe_model}: {err}"
        return detector, ""

    # --- faces ----------------------------------------------------------------------------------------

    def face_detector(self) -> FaceDetector:
        """MTCNN with the ``VIDREK_FACE_*`` settings."""
        s = self.settings
        return self._get(
            "face_detector",
            lambda: create_face_detector(
                s.onnx_threads,
                MtcnnThresholds(min_face_px=s.face_min_face_px, onet=s.face_detection_threshold),
                s.face_max_side,
            ),
        )

    def attribute_model(self) -> FaceAttributeModel:
        """Age/gender (faceres), emotions and facemesh: the ``ALL`` attributes."""
        s = self.settings
        return self._get("attribute_model", lambda: load_attribute_model(s.model_dir, s.onnx_threads))

    def face_mesh(self) -> FaceMeshModel:
        """facemesh: Pose (DEFAULT), the 30 landmarks (ALL) and the eyes the iris model reads."""
        s = self.settings
        return self._get("face_mesh", lambda: load_face_mesh(s.model_dir, s.onnx_threads))

    def iris_model(self) -> IrisModel:
        """MediaPipe Iris: EyeDirection and the pupils (ALL, EYE_DIRECTION)."""
        s = self.settings
        return self._get("iris_model", lambda: load_iris_model(s.model_dir, s.onnx_threads))

    def attribute_model_for(self, attributes: str | Collection[str] | None) -> FaceModels:
        """The per-face models a request's ``Attributes`` / ``FaceAttributes`` need: facemesh always
        (Pose is a DEFAULT attribute), the iris model for EyeDirection, the attribute model for the rest."""
        wanted = requested_attributes(attributes)
        return FaceModels(
            mesh=self.face_mesh(),
            iris=self.iris_model() if "EYE_DIRECTION" in wanted else None,
            attributes=self.attribute_model() if wanted - {"EYE_DIRECTION"} else None,
        )

    def face_embedder(self) -> FaceEmbedder:
        """The descriptor of new collections: dlib + faceres fused (``vidrek-dlib-faceres-fusion-1``).

        Its vectors serve collections of every model version (a ``dlib-resnet-v1`` collection reads their
        dlib part), so video face search, stream processors and celebrities use it whatever the
        collection; :meth:`face_embedder_for` spares the faceres run when only dlib is needed."""
        s = self.settings
        return self._get(
            "face_embedder",
            lambda: FusedEmbedder(self.dlib_face_embedder(), load_faceres(s.model_dir, s.onnx_threads)),
        )

    def dlib_face_embedder(self) -> DlibEmbedder:
        """dlib's 128-D descriptor alone (``dlib-resnet-v1`` collections)."""
        return self._get("dlib_face_embedder", DlibEmbedder)

    def face_embedder_for(self, model_version: str) -> FaceEmbedder:
        """The descriptor a collection of ``model_version`` stores and searches with."""
        return self.face_embedder() if is_fused(model_version) else self.dlib_face_embedder()

    # --- text and moderation --------------------------------------------------------------------------

    def text_reader(self) -> TextReader:
        """PP-OCRv4 (rapidocr) with ``VIDREK_TEXT_DET_LIMIT_SIDE_LEN``: DetectText and text detection."""
        s = self.settings
        return self._get(
            "text_reader",
            lambda: TextReader(
                OcrParams(det_limit_side_len=s.text_det_limit_side_len, threads=s.onnx_threads)
            ),
        )

    def moderation_scorer(self) -> ModerationScorer:
        """open_nsfw (+ NudeNet with ``VIDREK_MODERATION_NUDENET``); raises NudeNetUnavailable if asked
        for NudeNet without the optional package."""
        s = self.settings
        return self._get("moderation_scorer", lambda: ModerationScorer(s.onnx_threads, s.moderation_nudenet))
