"""ImageNet class probabilities -> label scores and calibrated confidences (image-level labels).

**Score.** A label's classifier score is the summed probability of the ImageNet classes under it: the
classes whose own label it is and the classes of every label it is an ancestor of. The three cat
classes (tabby, tiger cat, Egyptian cat) all have the label Cat, so chelsea's 0.52 + 0.23 + 0.12 make
Cat 0.87; Animal gathers every animal class. A parent's score is never below a child's. Measured on the
labelled set (``benchmarks/label_calibration.py``): the sum found more of the labels a user expects
than the best single class (macro recall 0.36 vs 0.35, same precision), and is what the probability of
"some class under this label" means.

**Confidence.** The score is mapped to a calibrated confidence (percent, about the measured precision
of labels with that score) by one of two curves (:mod:`pipelines.image_level_calibration`):

* ``own`` for the labels that are some class's own label (Suit, Beach, Cat, Espresso, Light Switch ...):
  ImageNet's leaves are often confidently wrong on pictures unlike ImageNet's (a parked bicycle read as
  a rickshaw at 0.9, a van's roof as a light switch), so these are right only about half of the time
  even at high scores;
* ``ancestor`` for the labels that are only parents (Animal, Vehicle, Clothing, Outdoors ...), which are
  right far more often at the same score (a wrong leaf is often under the right parent).

Scores below :data:`MIN_SCORE` are dropped before calibration (no curve reaches 50 there).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pipelines.calibration import ScoreCalibration
from pipelines.taxonomy import LabelTaxonomy

#: Label scores below this summed probability are not reported at all (0..1).
MIN_SCORE = 0.01


class ClassifierLabels:
    """Turns one image's ImageNet probabilities into label scores and confidences."""

    def __init__(self, taxonomy: LabelTaxonomy, own: ScoreCalibration, ancestor: ScoreCalibration) -> None:
        """``taxonomy`` must list the classifier's classes (``classifier_labels``); ``own`` and
        ``ancestor`` are the two calibration curves (raw = summed probability 0..1)."""
        classes = taxonomy.classifier_labels
        if not classes:
            raise ValueError("the taxonomy lists no classifier classes")
        self._labels_of_class: tuple[tuple[str, ...], ...] = tuple(
            (name, *taxonomy.info(name).parents) for name in classes
        )
        self._own = frozenset(classes)
        self._classes_under: dict[str, list[int]] = {}
        for index, names in enumerate(self._labels_of_class):
            for name in names:
                self._classes_under.setdefault(name, []).append(index)
        self._own_curve = own
        self._ancestor_curve = ancestor

    @property
    def class_count(self) -> int:
        return len(self._labels_of_class)

    def covers(self, name: str) -> bool:
        """Whether any classifier class lies under the label ``name``."""
        return name in self._classes_under

    def score_of(self, probabilities: npt.NDArray[np.float32], name: str) -> float:
        """The summed probability of the classes under ``name`` (0 if none is)."""
        indexes = self._classes_under.get(name)
        return float(probabilities[indexes].sum()) if indexes else 0.0

    def scores(self, probabilities: npt.NDArray[np.float32]) -> dict[str, float]:
        """Every label's summed probability, for the labels with at least :data:`MIN_SCORE`."""
        if probabilities.shape != (self.class_count,):
            raise ValueError(f"expected {self.class_count} probabilities, got shape {probabilities.shape}")
        sums: dict[str, float] = {}
        for index in np.flatnonzero(probabilities > 0):
            p = float(probabilities[index])
            for name in self._labels_of_class[index]:
                sums[name] = sums.get(name, 0.0) + p
        return {name: min(s, 1.0) for name, s in sums.items() if s >= MIN_SCORE}

    def is_own(self, name: str) -> bool:
        """Whether ``name`` is the own label of some class (calibrated with the ``own`` curve)."""
        return name in self._own

    def confidence(self, name: str, score: float) -> float:
        """The calibrated confidence (percent) of label ``name`` with summed probability ``score``."""
        curve = self._own_curve if name in self._own else self._ancestor_curve
        return curve.confidence(name, score)

    def confidences(self, probabilities: npt.NDArray[np.float32]) -> dict[str, float]:
        """Every scored label's calibrated confidence (percent), before any threshold."""
        return {name: self.confidence(name, score) for name, score in self.scores(probabilities).items()}
