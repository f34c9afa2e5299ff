"""ClientRequestToken idempotency of the user operations (CreateUser, DeleteUser, AssociateFaces,
DisassociateFaces).

boto3 fills a fresh uuid into these tokens on every call (they are ``idempotencyToken`` members), so a
token repeats only when the SDK retries a call or the caller passes the same token on purpose. AWS: "If
you use the same token with multiple ... requests, the same response is returned"; the same token with a
different request is ``IdempotentParameterMismatchException``. A token's record holds the request's
fingerprint and the response it got, and lives ``result_ttl_seconds`` (the ClientRequestToken lifetime of
vidrek's video jobs too). Only successful responses are remembered: a refused call can be retried with
its token.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from pipelines.errors import Conflict
from workers import keys
from workers.jobs import request_fingerprint


class TokenReusedForAnotherRequest(Conflict):
    """The token was used before with a different request."""

    wire_error = "IdempotentParameterMismatchException"


class UserRequestTokens:
    def __init__(self, client: redis.Redis, ttl_seconds: int) -> None:
        self._redis = client
        self._ttl = ttl_seconds

    def replay(self, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """The response remembered for this request's token, or None (no token, or not seen)."""
        token = params.get("ClientRequestToken")
        if not token:
            return None
        raw = self._redis.get(keys.user_request_token(operation, token))
        if raw is None:
            return None
        record = json.loads(str(raw))
        if record["fingerprint"] != request_fingerprint(params):
            raise TokenReusedForAnotherRequest(
                f"ClientRequestToken {token} was already used for a different {operation} request."
            )
        response: dict[str, Any] = record["response"]
        return response

    def remember(self, operation: str, params: dict[str, Any], response: dict[str, Any]) -> None:
        token = params.get("ClientRequestToken")
        if not token:
            return
        record = {"fingerprint": request_fingerprint(params), "response": response}
        self._redis.set(keys.user_request_token(operation, token), json.dumps(record), ex=self._ttl, nx=True)
