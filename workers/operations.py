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
    #: GetSegmentDetection answers ``VideoMetadata`` as a list of one item instead of an object.
    video_metadata_as_list: bool = False

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
            name="CelebrityRecognition",
            start_action="StartCelebrityRecognition",
            get_action="GetCelebrityRecognition",
            results_member="Celebrities",
            analysis="workers.analyses.celebrities:analyse_celebrities",
            sort_by=("TIMESTAMP", "ID"),
        ),
        VideoOperation(
            name="FaceSearch",
            start_action="StartFaceSearch",
            get_action="GetFaceSearch",
            results_member="Persons",
            analysis="workers.analyses.face_search:analyse_face_search",
            sort_by=("TIMESTAMP", "INDEX"),
        ),
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
        VideoOperation(
            name="FaceDetection",
            start_action="StartFaceDetection",
            get_action="GetFaceDetection",
            results_member="Faces",
            analysis="workers.analyses.faces:analyse_faces_in_video",
        ),
        VideoOperation(
            name="TextDetection",
            start_action="StartTextDetection",
            get_action="GetTextDetection",
            results_member="TextDetections",
            analysis="workers.analyses.text:analyse_text",
        ),
        VideoOperation(
            name="ContentModeration",
            start_action="StartContentModeration",
            get_action="GetContentModeration",
            results_member="ModerationLabels",
            analysis="workers.analyses.moderation:analyse_moderation",
            sort_by=("TIMESTAMP", "NAME"),
            aggregate_by=("TIMESTAMPS", "SEGMENTS"),
            request_metadata_member="GetRequestMetadata",
        ),
        VideoOperation(
            name="SegmentDetection",
            start_action="StartSegmentDetection",
            get_action="GetSegmentDetection",
            results_member="Segments",
            analysis="workers.analyses.segments:analyse_segments",
            video_metadata_as_list=True,
        ),
        VideoOperation(
            name="PersonTracking",
            start_action="StartPersonTracking",
            get_action="GetPersonTracking",
            results_member="Persons",
            analysis="workers.analyses.persons:analyse_persons",
            sort_by=("TIMESTAMP", "INDEX"),
        ),
    )
}
