"""Pagination tokens for Get* operations.

A token names the job, the result view and the offset of the next item, and carries an HMAC so a client
cannot forge or alter one. Tokens expire after 24 hours, as Rekognition's do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import redis

from pipelines.errors import InvalidInput
from workers import keys

TOKEN_TTL_SECONDS = 24 * 3600


class InvalidPageToken(InvalidInput):
    """A NextToken that was not issued for this listing, was altered or has expired."""

    wire_error = "InvalidPaginationTokenException"


@dataclass(frozen=True)
class PagePosition:
    job_id: str
    view: str
    offset: int


def shared_secret(client: redis.Redis) -> bytes:
    """The signing secret shared by every API process (created on first use)."""
    client.set(keys.PAGINATION_SECRET, secrets.token_hex(32), nx=True)
    return str(client.get(keys.PAGINATION_SECRET)).encode()


class PageTokens:
    def __init__(self, secret: bytes, ttl_seconds: int = TOKEN_TTL_SECONDS) -> None:
        self._secret = secret
        self._ttl = ttl_seconds

    def _sign(self, payload: bytes) -> str:
        digest = hmac.new(self._secret, payload, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def encode(self, position: PagePosition, *, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        payload = f"{position.job_id}|{position.view}|{position.offset}|{issued}".encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._sign(payload)}"

    def decode(self, token: str, *, job_id: str, view: str, now: float | None = None) -> PagePosition:
        """Check a token against the request it comes with; raise :class:`InvalidPageToken`."""
        body, _, signature = token.partition(".")
        try:
            payload = base64.urlsafe_b64decode(body.encode("ascii") + b"=" * (-len(body) % 4))
            expected = self._sign(payload).encode()
            # bytes, so that a non-ASCII signature is a mismatch rather than a TypeError
            if not signature or not hmac.compare_digest(signature.encode("utf-8", "surrogatepass"), expected):
                raise InvalidPageToken("Invalid Pagination Token.")
            token_job, token_view, offset_text, issued_text = payload.decode().split("|")
            offset, issued = int(offset_text), int(issued_text)
        except ValueError as err:  # not base64, not UTF-8, not four fields, not numbers
            raise InvalidPageToken("Invalid Pagination Token.") from err
        if token_job != job_id:
            raise InvalidPageToken("Invalid Pagination Token: it belongs to another job.")
        if token_view != view:
            raise InvalidPageToken(
                "Invalid Pagination Token: it was issued for another SortBy/AggregateBy; keep them the same "
                "on every page."
            )
        if (now if now is not None else time.time()) - issued > self._ttl:
            raise InvalidPageToken("Invalid Pagination Token: the token has expired (tokens live 24 hours).")
        return PagePosition(job_id=token_job, view=token_view, offset=offset)
