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
