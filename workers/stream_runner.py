"""The process that runs one stream processor session: ``python -m workers.stream_runner <name>``.

Started (and restarted) by a worker's supervisor (:mod:`workers.stream_supervisor`). It:

1. takes the processor's lock (one process per processor, whichever worker started it) and keeps it
   with a heartbeat; it exits quietly if it loses the lock or its parent worker dies, so that a
   supervisor restarts it cleanly;
2. opens the mapped source URL, retrying with exponential backoff; a stream that never opens within
   ``stream_open_timeout_seconds`` of StartStreamProcessor ends the session FAILED with a StatusMessage;
3. analyses one frame per ``1 / stream_sample_fps`` s of stream time, paced to real time, and writes the
   results (face search records to the Redis Stream; ConnectedHome events to SNS and the S3 destination);
4. reconnects when the stream drops or ends, for up to ``stream_reconnect_timeout_seconds``;
5. ends the session STOPPED on StopStreamProcessor or when MaxDurationInSeconds is reached.
"""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from typing import Any, Protocol

import redis
from PIL import Image

from pipelines.calibration import ScoreCalibration
from pipelines.connected_home import (
    DEFAULT_MIN_CONFIDENCE,
    HomeDetection,
    Region,
    home_detections,
    wanted_labels,
)
from pipelines.detection import Detection, RGBImage
from pipelines.errors import VidrekError
from pipelines.live_stream import LiveFrame, StreamUnavailable, live_frames, open_live_stream
from pipelines.stream_face_search import search_frame_faces
from pipelines.stream_records import (
    face_search_record,
    label_detected_message,
    label_frame_json,
    session_complete_message,
    session_summary_json,
)
from workers.collections import CollectionNotFound
from workers.models import Models
from workers.settings import Settings, get_settings
from workers.stores import Stores
from workers.stream_outputs import KinesisRecordWriter, ObjectWriter, OutputError, publish_event
from workers.stream_processors import StreamProcessorRecord, StreamProcessorStore, StreamStatus
from workers.stream_sources import source_url

log = logging.getLogger(__name__)

#: FaceMatchThreshold when the processor's settings have none (Rekognition's default).
DEFAULT_FACE_MATCH_THRESHOLD = 80.0
#: First wait between connection attempts, seconds (doubles up to stream_reconnect_max_backoff_seconds).
FIRST_BACKOFF_SECONDS = 0.25
#: How often the stop conditions (Stop requested, MaxDuration) are read from Redis while frames flow.
STOP_CHECK_SECONDS = 0.2


class SessionFailed(VidrekError):
    """The session cannot go on; the message becomes the processor's StatusMessage."""


class FrameAnalysis(Protocol):
    def process(self, frame: LiveFrame) -> None: ...

    def finish(self, status: StreamStatus, message: str, processed_ms: int) -> None: ...


class FaceSearchAnalysis:
    """FaceSearch: every analysed frame becomes one record in the output Redis Stream."""

    def __init__(
        self, settings: Settings, stores: Stores, models: Models, record: StreamProcessorRecord
    ) -> None:
        face_search = record.definition["Settings"]["FaceSearch"]
        self.collection_id = str(face_search["CollectionId"])
        self.threshold = float(face_search.get("FaceMatchThreshold", DEFAULT_FACE_MATCH_THRESHOLD))
        self.stream_arn = str(record.definition["Input"]["KinesisVideoStream"]["Arn"])
        output_arn = str(record.definition["Output"]["KinesisDataStream"]["Arn"])
        self.writer = KinesisRecordWriter(stores.redis_client, output_arn, settings.stream_output_max_records)
        self.collections = stores.collections
        self._check_collection()
        self.detector = models.face_detector()
        self.embedder = models.face_embedder()

    def _check_collection(self) -> None:
        try:
            self.collections.vector_index(self.collection_id)
        except CollectionNotFound as err:
            raise SessionFailed(
                f"The face collection {self.collection_id} of Settings.FaceSearch does not exist."
            ) from err

    def process(self, frame: LiveFrame) -> None:
        try:
            index = self.collections.vector_index(self.collection_id)
        except CollectionNotFound as err:
            raise SessionFailed(f"The face collection {self.collection_id} was deleted.") from err
        faces = search_frame_faces(
            frame.image,
            self.detector,
            self.embedder,
            index,
            lambda ids: self.collections.faces(self.collection_id, list(ids)),
            self.threshold,
        )
        self.writer.add(face_search_record(self.stream_arn, frame, faces))

    def finish(self, status: StreamStatus, message: str, processed_ms: int) -> None:
        return None


def _jpeg(image: RGBImage) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _crop(image: RGBImage, detection: HomeDetection) -> RGBImage:
    height, width = image.shape[0], image.shape[1]
    box = detection.box
    x1, y1 = int(box.left * width), int(box.top * height)
    x2, y2 = max(x1 + 1, int(box.right * width)), max(y1 + 1, int(box.bottom * height))
    crop: RGBImage = image[y1:y2, x1:x2]
    return crop


class ConnectedHomeAnalysis:
    """ConnectedHome: first detection of each label -> frame + crop in S3 and an SNS event; a summary."""

    def __init__(
        self,
        settings: Settings,
        models: Models,
        store: StreamProcessorStore,
        record: StreamProcessorRecord,
        tags: dict[str, str],
    ) -> None:
        definition = record.definition
        home = definition["Settings"]["ConnectedHome"]
        self.settings = settings
        self.store = store
        self.record = record
        self.labels = wanted_labels(home.get("Labels") or [])
        self.min_confidence = float(home.get("MinConfidence", DEFAULT_MIN_CONFIDENCE))
        self.regions = [Region.from_request(r) for r in definition.get("RegionsOfInterest") or []]
        self.stream_arn = str(definition["Input"]["KinesisVideoStream"]["Arn"])
        destination = (definition.get("Output") or {}).get("S3Destination") or {}
        prefix = str(destination.get("KeyPrefix") or "").strip("/")
        self.key_prefix = "/".join(p for p in (prefix, record.name, record.session_id) if p)
        try:
            self.writer = ObjectWriter(settings, str(destination["Bucket"])) if destination else None
        except OutputError as err:
            raise SessionFailed(str(err)) from err
        self.topic = (definition.get("NotificationChannel") or {}).get("SNSTopicArn")
        self.tags = tags  # the processor's tags (workers.tags) when the session started
        self.detector = models.label_detector()
        self.calibration: ScoreCalibration = models.label_calibration()
        self.frames: list[dict[str, Any]] = []
        self.first_detections: dict[str, str] = {}

    def _confidence(self, detection: Detection) -> float:
        return self.calibration.confidence(detection.label, detection.score)

    def process(self, frame: LiveFrame) -> None:
        found = home_detections(
            self.detector.detect(frame.image),
            self._confidence,
            self.labels,
            self.min_confidence,
            self.regions,
        )
        if not found:
            return
        self.frames.append(label_frame_json(frame, found))
        for detection in found:
            if detection.label in self.first_detections or detection.label in self.record.notified_labels:
                continue
            if not self.store.add_notified_label(self.record.name, self.record.session_id, detection.label):
                continue
            self._first_detection(frame, detection)

    def _first_detection(self, frame: LiveFrame, detection: HomeDetection) -> None:
        event_id = str(uuid.uuid4())
        frame_uri = cropped_uri = ""
        if self.writer is not None:
            base = f"{self.key_prefix}/{detection.label.lower()}-{frame.timestamp_ms}"
            try:
                frame_uri = self.writer.put(f"{base}-frame.jpg", _jpeg(frame.image), "image/jpeg")
                cropped_uri = self.writer.put(
                    f"{base}-cropped.jpg", _jpeg(_crop(frame.image, detection)), "image/jpeg"
                )
            except OutputError as err:
                log.warning("stream processor %s: %s", self.record.name, err)
        self.first_detections[detection.label] = frame_uri
        if self.topic:
            message = label_detected_message(
                stream_arn=self.stream_arn,
                session_id=self.record.session_id,
                event_id=event_id,
                tags=self.tags,
                start_request=self.record.start_request,
                detection=detection,
                frame=frame,
                frame_image_uri=frame_uri,
                cropped_image_uri=cropped_uri,
            )
            publish_event(self.settings, self.topic, message, event_id)

    def finish(self, status: StreamStatus, message: str, processed_ms: int) -> None:
        if self.writer is not None:
            summary = session_summary_json(
                processor_name=self.record.name,
                stream_arn=self.stream_arn,
                session_id=self.record.session_id,
                status=status.value,
                message=message,
                processed_ms=processed_ms,
                first_detections=self.first_detections,
                frames=self.frames,
            )
            try:
                self.writer.put(
                    f"{self.key_prefix}/session-summary.json",
                    _json_bytes(summary),
                    "application/json",
                )
            except OutputError as err:
                log.warning("stream processor %s: %s", self.record.name, err)
        if self.topic:
            event_id = str(uuid.uuid4())
            text = message or f"Stream processing session {self.record.session_id} ended: {status.value}."
            publish_event(
                self.settings,
                self.topic,
                session_complete_message(
                    stream_arn=self.stream_arn,
                    session_id=self.record.session_id,
                    event_id=event_id,
                    tags=self.tags,
                    start_request=self.record.start_request,
                    processed_ms=processed_ms,
                    message=text,
                ),
                event_id,
            )


def _json_bytes(value: dict[str, Any]) -> bytes:
    return json.dumps(value, indent=1).encode()


class ProcessorRun:
    """One process's share of a session: from taking the lock to the end of the session or of the process."""

    def __init__(self, settings: Settings, stores: Stores, name: str) -> None:
        self.settings = settings
        self.stores = stores
        self.models = Models(settings)
        self.client = stores.redis_client
        self.store = stores.stream_processors
        self.name = name
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lock_ttl = 3 * settings.stream_heartbeat_seconds
        self.parent = os.getppid()
        self.abandon = threading.Event()  # lost the lock or the parent: leave the session to a restart
        self.handover = threading.Event()  # SIGTERM: leave the session to another process
        self._next_check = 0.0
        self._stop_reason: str | None = None

    # --- lock and heartbeat ------------------------------------------------------------------------

    def _heartbeat(self, done: threading.Event) -> None:
        while not done.wait(self.settings.stream_heartbeat_seconds):
            try:
                if not self.store.refresh_lock(self.name, self.owner, self.lock_ttl):
                    log.warning("stream processor %s: lost its lock", self.name)
                    self.abandon.set()
            except redis.RedisError:
                log.exception("stream processor %s: heartbeat failed", self.name)
            if os.getppid() != self.parent:
                log.warning("stream processor %s: the worker that started it is gone", self.name)
                self.abandon.set()

    def run(self) -> None:
        if not self.store.acquire_lock(self.name, self.owner, self.lock_ttl):
            return
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(done,), daemon=True)
        beat.start()
        try:
            record = self.store.find(self.name)
            if record is None:
                return
            if record.desired != "run":
                self.store.finish(self.name, record.session_id, StreamStatus.STOPPED)
                return
            self.store.set_pid(self.name, os.getpid())
            self._session(record)
        finally:
            done.set()
            beat.join(timeout=5)
            if self.handover.is_set():  # asked to leave (SIGTERM): not a crash, not counted as a restart
                self.store.set_pid(self.name, 0)
            self.store.release_lock(self.name, self.owner)

    # --- the session ---------------------------------------------------------------------------------

    def _stop_requested(self, record: StreamProcessorRecord) -> bool:
        """True when the session must end (reason in ``_stop_reason``) or this process must leave it."""
        if self.abandon.is_set():
            return True
        now = time.monotonic()
        if now < self._next_check:
            return self._stop_reason is not None
        self._next_check = now + STOP_CHECK_SECONDS
        limit = record.max_duration_seconds
        if limit is not None and time.time() >= record.session_started + limit:
            self._stop_reason = "max-duration"
        elif self.store.desired(self.name) != "run":
            self._stop_reason = "stop"
        return self._stop_reason is not None

    def _wait(self, seconds: float, record: StreamProcessorRecord) -> bool:
        """Sleep up to ``seconds``; True if the session must end meanwhile."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._stop_requested(record):
                return True
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        return self._stop_requested(record)

    def _session(self, record: StreamProcessorRecord) -> None:
        settings = self.settings
        stream_arn = str(record.definition["Input"]["KinesisVideoStream"]["Arn"])
        url = source_url(settings.stream_sources, stream_arn)
        analysis: FrameAnalysis | None = None
        status, message, processed_ms = StreamStatus.STOPPED, "", 0
        try:
            if url is None:
                raise SessionFailed(
                    f"No source URL is mapped to the stream {stream_arn} (VIDREK_STREAM_SOURCES)."
                )
            analysis = (
                FaceSearchAnalysis(settings, self.stores, self.models, record)
                if record.is_face_search
                else ConnectedHomeAnalysis(
                    settings, self.models, self.store, record, self.stores.tags.tags(record.arn)
                )
            )
            processed_ms = self._stream(record, url, analysis)
        except SessionFailed as err:
            status, message = StreamStatus.FAILED, str(err)
        except Exception as err:
            log.exception("stream processor %s failed", self.name)
            status, message = StreamStatus.FAILED, f"Internal error while processing the stream: {err}"
        if self.abandon.is_set():
            return
        if analysis is not None:
            try:
                analysis.finish(status, message, processed_ms)
            except Exception:
                log.exception("stream processor %s: end-of-session outputs failed", self.name)
        self.store.finish(self.name, record.session_id, status, message)

    def _stream(self, record: StreamProcessorRecord, url: str, analysis: FrameAnalysis) -> int:
        """Connect, analyse, reconnect until the session ends; return the ms of stream time processed."""
        settings = self.settings
        interval_ms = 1000.0 / settings.stream_sample_fps
        max_side = settings.face_max_side if record.is_face_search else max(512, settings.detector_input_size)
        opened = record.stream_opened
        backoff = FIRST_BACKOFF_SECONDS
        down_since = time.time()
        last_error = ""
        processed_ms = 0
        while not self._stop_requested(record):
            try:
                container = open_live_stream(url, settings.stream_read_timeout_seconds)
            except StreamUnavailable as err:
                last_error = str(err)
                waited = time.time() - (down_since if opened else record.session_started)
                if not opened and waited > settings.stream_open_timeout_seconds:
                    raise SessionFailed(
                        f"The video stream {url} could not be opened within "
                        f"{settings.stream_open_timeout_seconds:g} s: {last_error}"
                    ) from err
                if opened and waited > settings.stream_reconnect_timeout_seconds:
                    raise SessionFailed(
                        f"The video stream {url} dropped and did not come back within "
                        f"{settings.stream_reconnect_timeout_seconds:g} s: {last_error}"
                    ) from err
                if self._wait(backoff, record):
                    break
                backoff = min(backoff * 2, settings.stream_reconnect_max_backoff_seconds)
                continue
            if not opened:
                log.info("stream processor %s: %s opened", self.name, url)
            self.store.mark_running(self.name, record.session_id, report_running=record.is_face_search)
            opened = True
            backoff = FIRST_BACKOFF_SECONDS
            previous: LiveFrame | None = None
            try:
                for frame in live_frames(
                    container,
                    interval_ms=interval_ms,
                    max_side=max_side,
                    should_stop=lambda: self._stop_requested(record),
                ):
                    analysis.process(frame)
                    if previous is not None and frame.timestamp_ms > previous.timestamp_ms:
                        processed_ms += frame.timestamp_ms - previous.timestamp_ms
                    previous = frame
            finally:
                container.close()
            down_since = time.time()
            last_error = "the stream ended or stopped sending data"
        return processed_ms


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s stream-runner: %(message)s")
    if len(argv) != 2:
        print("usage: python -m workers.stream_runner <stream processor name>", file=sys.stderr)
        return 2
    settings = get_settings()
    run = ProcessorRun(settings, Stores.connect(settings), argv[1])

    def leave(*_: object) -> None:
        run.handover.set()
        run.abandon.set()

    signal.signal(signal.SIGTERM, leave)
    run.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
