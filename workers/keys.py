"""Every Redis key vidrek uses, in one place.

Keys share the ``vidrek:`` prefix so a Redis shared with other programs stays tidy.
"""

from __future__ import annotations

PREFIX = "vidrek:"


#: Hash of a job's record (status, request, metadata, progress ...).
def job(job_id: str) -> str:
    return f"{PREFIX}job:{job_id}"


#: List of JSON result items of one job, in one ordering ("view"), e.g. ``TIMESTAMP/TIMESTAMPS``.
def results(job_id: str, view: str) -> str:
    return f"{PREFIX}results:{job_id}:{view}"


#: String: the job id that a Start* ClientRequestToken produced, with the request's fingerprint.
def client_token(operation: str, token: str) -> str:
    return f"{PREFIX}token:{operation}:{token}"


#: String: the secret that signs pagination tokens (made once, shared by every API process).
PAGINATION_SECRET = f"{PREFIX}pagination-secret"

#: Celery broker and result keys are Celery's own; vidrek stores no task results there.

#: Set of the ids of jobs that have not reached a final state.
ACTIVE_JOBS = f"{PREFIX}jobs:active"


#: String with a TTL: held by the worker process that runs a job; refreshed with its heartbeat.
def run_lock(job_id: str) -> str:
    return f"{PREFIX}lock:{job_id}"


#: Sorted set: every job id scored by its creation time (Unix ms), newest last; read by
#: ``GET /vidrek/jobs`` (`vidrek jobs`). Entries older than the result retention are trimmed as jobs are
#: created, and ids whose job hash expired are dropped when listed.
RECENT_JOBS = f"{PREFIX}jobs:recent"

# --- metrics (workers/metrics.py) -------------------------------------------------------------------

#: Hash: counter series (JSON ``[name, {label: value}]``) -> count, incremented by every process (API,
#: workers) and read by the API's ``GET /metrics``.
METRIC_COUNTERS = f"{PREFIX}metrics:counters"

#: Hash: histogram series field (JSON ``[name, {label: value}, bucket index | "sum"]``) -> the number of
#: observations in that bucket (not cumulative), or the sum of the observed values.
METRIC_HISTOGRAMS = f"{PREFIX}metrics:histograms"


# --- face collections (workers/collections.py) ----------------------------------------------------------

#: Sorted set (all scores 0, ordered by name) of every face collection id.
COLLECTIONS = f"{PREFIX}collections"


#: Hash of one collection's record: created (epoch s), face model version, ARN, generation, version.
def collection(collection_id: str) -> str:
    return f"{PREFIX}collection:{collection_id}"


#: Hash face id -> JSON metadata of one indexed face (ImageId, ExternalImageId, BoundingBox, ...).
def collection_faces(collection_id: str) -> str:
    return f"{PREFIX}collection:{collection_id}:faces"


#: Hash face id -> the face's descriptor as raw float32 bytes (no image bytes are ever stored).
def collection_vectors(collection_id: str) -> str:
    return f"{PREFIX}collection:{collection_id}:vectors"


#: Hash user id -> JSON record {created (epoch s)} of one collection's users (workers/face_users.py).
def collection_users(collection_id: str) -> str:
    return f"{PREFIX}collection:{collection_id}:users"


#: Hash face id -> user id of the faces of one collection that are associated with a user.
def collection_face_users(collection_id: str) -> str:
    return f"{PREFIX}collection:{collection_id}:face-users"


#: String with a TTL: JSON {fingerprint, response} of one CreateUser/DeleteUser/AssociateFaces/
#: DisassociateFaces ClientRequestToken (replayed for the same request, refused for another).
def user_request_token(operation: str, token: str) -> str:
    return f"{PREFIX}user-token:{operation}:{token}"


# --- celebrity gallery (workers/celebrity_gallery.py) ---------------------------------------------


#: Hash celebrity id -> JSON {Name, Urls, KnownGender, FaceIds}: the people of the gallery whose faces
#: live in the face collection ``collection_id`` (VIDREK_CELEBRITY_COLLECTION).
def celebrities(collection_id: str) -> str:
    return f"{PREFIX}celebrities:{collection_id}"


# --- completion notifications (workers/notifications) --------------------------------------------

#: Sorted set: ids of finished jobs whose notifications are not all final, scored by the Unix ms at which
#: the sweep should (re)dispatch their delivery tasks. Written with the job's final state (one MULTI).
NOTIFICATION_OUTBOX = f"{PREFIX}notifications:outbox"

#: List of JSON dead-letter records (a delivery that failed for good), newest last.
NOTIFICATION_DEAD_LETTERS = f"{PREFIX}notifications:dead-letters"


#: Hash: target id -> JSON delivery record (status, attempts ...) of one job's notifications.
def notification_log(job_id: str) -> str:
    return f"{PREFIX}notifications:log:{job_id}"


#: String with a TTL: held while one process delivers one target of one job's notification.
def notification_lock(job_id: str, target_id: str) -> str:
    return f"{PREFIX}notifications:lock:{job_id}:{target_id}"


#: String: JSON {key, cert} PEMs of the RSA key that signs SNS-format webhook messages (made once).
SNS_SIGNING_KEY = f"{PREFIX}notifications:signing-key"


#: Hash: one webhook subscription (topic, endpoint, status, confirmation token ...).
def webhook_subscription(subscription_id: str) -> str:
    return f"{PREFIX}notifications:subscription:{subscription_id}"


#: Set of the subscription ids of one topic ARN.
def topic_subscriptions(topic_arn: str) -> str:
    return f"{PREFIX}notifications:topic:{topic_arn}"


# --- stream processors (workers/stream_processors.py) ------------------------------------------

#: Sorted set (all scores 0, ordered by name) of every stream processor name.
STREAM_PROCESSORS = f"{PREFIX}stream-processors"

#: Set of the names of stream processors that should be running (the supervisors' work list).
STREAM_PROCESSORS_ACTIVE = f"{PREFIX}stream-processors:active"


#: Hash of one stream processor: its CreateStreamProcessor request, status, session, process ...
def stream_processor(name: str) -> str:
    return f"{PREFIX}stream-processor:{name}"


#: String with a TTL: held by the process that runs a stream processor; refreshed with its heartbeat.
def stream_processor_lock(name: str) -> str:
    return f"{PREFIX}stream-processor-lock:{name}"


#: Redis Stream that stands in for a Kinesis data stream: face search records are XADDed here.
def kinesis_data_stream(arn: str) -> str:
    return f"{PREFIX}kinesis:{arn}"


# --- tags (workers/tags.py) ----------------------------------------------------------------------


#: Hash tag key -> tag value of one tagged resource (a collection or stream processor), by its ARN;
#: deleted in the same MULTI as the resource's record.
def resource_tags(arn: str) -> str:
    return f"{PREFIX}tags:{arn}"
