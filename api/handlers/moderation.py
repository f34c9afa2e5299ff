"""DetectModerationLabels (images)."""

from __future__ import annotations

from typing import Any

from api.context import ServiceContext
from api.errors import InvalidParameterException
from api.handlers import Handler
from api.images import load_image
from pipelines.moderation_results import moderation_labels

DEFAULT_MIN_CONFIDENCE = 50.0


def detect_moderation_labels(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("ProjectVersion"):
        # Custom moderation adapters are trained in AWS; there is nothing here to run one.
        raise InvalidParameterException("ProjectVersion (custom moderation adapters) is not supported.")
    image = load_image(ctx, params["Image"])
    scorer = ctx.models.moderation_scorer()
    min_confidence = float(params.get("MinConfidence", DEFAULT_MIN_CONFIDENCE))
    labels = [label for label in scorer.labels(image.rgb) if label.confidence >= min_confidence]
    # HumanLoopConfig is accepted and ignored: there is no human review service behind vidrek.
    return {
        "ModerationLabels": moderation_labels(labels),
        "ModerationModelVersion": scorer.model_version,
    }


HANDLERS: dict[str, Handler] = {"DetectModerationLabels": detect_moderation_labels}
