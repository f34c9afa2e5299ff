"""A local HTTP endpoint that records what an SNS-style webhook sender POSTs to it (for tests).

It runs on 127.0.0.1 in a thread. ``fail_notifications`` makes it answer HTTP 500 to that many
Notification POSTs before accepting; ``auto_confirm`` makes it GET the SubscribeURL of every
SubscriptionConfirmation, as SNS consumers do.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    at: float  # time.monotonic() when it arrived
    headers: dict[str, str]
    body: dict[str, Any]
    answered: int  # HTTP status the receiver answered


class WebhookReceiver:
    def __init__(self, *, fail_notifications: int = 0, auto_confirm: bool = True) -> None:
        self.fail_notifications = fail_notifications
        self.auto_confirm = auto_confirm
        self.received: list[Received] = []
        self.confirm_answers: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                status = receiver._answer(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver._lock:
                    receiver.received.append(
                        Received(
                            time.monotonic(), {k.lower(): v for k, v in self.headers.items()}, body, status
                        )
                    )
                if status == 200 and body.get("Type") == "SubscriptionConfirmation" and receiver.auto_confirm:
                    with urllib.request.urlopen(body["SubscribeURL"], timeout=10) as reply:
                        receiver.confirm_answers.append(reply.status)

            def log_message(self, *_: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _answer(self, body: dict[str, Any]) -> int:
        with self._lock:
            if body.get("Type") == "Notification" and self.fail_notifications > 0:
                self.fail_notifications -= 1
                return 500
        return 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def of_type(self, message_type: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.body.get("Type") == message_type]

    def wait_for(self, message_type: str, count: int, timeout: float) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of_type(message_type)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise TimeoutError(
            f"{len(self.of_type(message_type))} of {count} {message_type} messages after {timeout} s"
        )

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
