"""One picture -> moderation labels: runs the enabled models and maps their signals onto the taxonomy."""

from __future__ import annotations

from pipelines.detection import RGBImage
from pipelines.errors import Misconfigured
from pipelines.moderation.nudenet import NudeNetDetector, nudenet_available
from pipelines.moderation.opennsfw import OpenNsfwScorer
from pipelines.moderation.taxonomy import ModerationLabel, ModerationTaxonomy


class NudeNetUnavailable(Misconfigured):
    """NudeNet was asked for (VIDREK_MODERATION_NUDENET=true) but the optional package is missing: a
    fault of the server's set-up, answered InternalServerError."""


class ModerationScorer:
    def __init__(self, threads: int, use_nudenet: bool) -> None:
        if use_nudenet and not nudenet_available():
            raise NudeNetUnavailable(
                "VIDREK_MODERATION_NUDENET is on but the optional nudenet package (AGPL-3.0) is not "
                "installed: pip install 'vidrek[nudenet]', or turn the setting off."
            )
        self.taxonomy = ModerationTaxonomy.load_default()
        self._nsfw = OpenNsfwScorer(threads)
        self._nudenet = NudeNetDetector(threads) if use_nudenet else None

    @property
    def model_version(self) -> str:
        parts = [self._nsfw.model_version]
        if self._nudenet is not None:
            parts.append(self._nudenet.model_version)
        return " + ".join(parts)

    def signals(self, rgb: RGBImage) -> dict[str, float]:
        """Every model output for the picture: ``{"opennsfw:nsfw": p, "nudenet:<CLASS>": best score}``."""
        result = {"opennsfw:nsfw": self._nsfw.score(rgb)}
        if self._nudenet is not None:
            for part in self._nudenet.detect(rgb):
                key = f"nudenet:{part.label}"
                result[key] = max(result.get(key, 0.0), part.score)
        return result

    def labels(self, rgb: RGBImage) -> list[ModerationLabel]:
        """All labels the picture's signals back, before any MinConfidence."""
        return self.taxonomy.labels(self.signals(rgb))
