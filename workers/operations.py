"""The table of video operations: one entry per Start*/Get* pair.

Every operation shares one path (validate -> enqueue -> analyse -> store -> page). A new operation adds an
entry here, an analysis function in :mod:`workers.analyses` and a converter in :mod:`pipelines`; nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_VIEW = "DEFAULT"


@dataclass(frozen=True)
class VideoOperation:
    """How one Start*/Get* pair behaves on the wire.

    ``sort_by`` / ``aggregate_by`` list the accepted values, the default first; the stored results hold one
    view per combination, named ``"<SortBy>/<AggregateBy>"`` (or just ``"<SortBy>"``).
    """

    name: str
    start_action: str
    get_action: str
    results_member: str
    analysis: str  # "module:function" under workers.analyses, imported by the worker only
    sort_by: tuple[str, ...] = ()
    aggregate_by: tuple[str, ...] = ()
    request_metadata_member: str | None = None

    def view(self, sort_by: str | None, aggregate_by: str | None) -> str:
        parts = []
        if self.sort_by:
            parts.append(sort_by or self.sort_by[0])
        if self.aggregate_by:
            parts.append(aggregate_by or self.aggregate_by[0])
        return "/".join(parts) if parts else DEFAULT_VIEW

    def all_views(self) -> list[str]:
        sorts: tuple[str | None, ...] = self.sort_by or (None,)
        aggs: tuple[str | None, ...] = self.aggregate_by or (None,)
        return [self.view(s, a) for s in sorts for a in aggs]


VIDEO_OPERATIONS: dict[str, VideoOperation] = {
    op.name: op
    for op in (
        VideoOperation(
            name="LabelDetection",
            start_action="StartLabelDetection",
            get_action="GetLabelDetection",
            results_member="Labels",
            analysis="workers.analyses.labels:analyse_labels",
            sort_by=("TIMESTAMP", "NAME"),
            aggregate_by=("TIMESTAMPS", "SEGMENTS"),
            request_metadata_member="GetRequestMetadata",
        ),
    )
}

BY_START_ACTION = {op.start_action: op for op in VIDEO_OPERATIONS.values()}
BY_GET_ACTION = {op.get_action: op for op in VIDEO_OPERATIONS.values()}
