"""How the API is served: uvicorn with vidrek's limits on slow and numerous clients.

uvicorn closes idle kept-alive connections (``timeout_keep_alive``) and answers 503 beyond
``limit_concurrency`` connections, but it waits forever for a client that never finishes its headers or
its body: 1,000 such connections all stayed open. :func:`guarded_h11` is uvicorn's h11 protocol with two
deadlines per request, checked on the connection's HTTP state (h11's ``their_state``):

* headers: ``api_header_timeout_seconds`` from the moment the connection is ready for a request (opened,
  or the previous answer sent) until its headers are complete;
* body: ``api_body_timeout_seconds`` from the headers until the last byte of the body.

A missed deadline closes the connection (logged at INFO); a request being answered is cancelled with it
(its handler sees the client disconnect). Waiting for the server's own answer has no deadline here.

``python -m api.server`` runs the API this way (:func:`api.cli.api_command` starts it); the in-process
contract tests serve the app with the same :func:`server_config`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from workers.settings import Settings, get_settings

log = logging.getLogger(__name__)

#: Largest request head (request line and headers) h11 buffers, in bytes (h11's default, 16 KiB, made
#: explicit): a longer one is answered 400. SDK requests carry about 1.5 KB of headers.
MAX_HEADER_BYTES = 16 * 1024


def guarded_h11(header_timeout: float, body_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a headers deadline and a body deadline (module docstring)."""

    class GuardedH11Protocol(H11Protocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._phase: str = ""
            self._deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._watch()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._watch()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._watch()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel()
            super().connection_lost(exc)

        def _watch(self) -> None:
            """(Re)arm the deadline of the phase the client's side of the connection is in."""
            state = self.conn.their_state
            phase = "headers" if state is h11.IDLE else "body" if state is h11.SEND_BODY else ""
            if phase == self._phase:
                return
            self._cancel()
            self._phase = phase
            if phase and not self.transport.is_closing():
                timeout = header_timeout if phase == "headers" else body_timeout
                self._deadline = self.loop.call_later(timeout, self._expire, phase, timeout)

        def _cancel(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self, phase: str, timeout: float) -> None:
            self._deadline = None
            if self._phase == phase and not self.transport.is_closing():
                client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
                log.info("closing %s: its request %s did not arrive within %g s", client, phase, timeout)
                self.transport.close()

    return GuardedH11Protocol


def server_config(app: Any, settings: Settings, **overrides: Any) -> uvicorn.Config:
    """uvicorn's configuration of the API ``app`` with the limits of ``settings`` (``overrides``: more
    uvicorn options, e.g. ``log_level``)."""
    options: dict[str, Any] = {
        "host": settings.api_host,
        "port": settings.api_port,
        "log_level": "warning",
        "lifespan": "on",
        "http": guarded_h11(settings.api_header_timeout_seconds, settings.api_body_timeout_seconds),
        "timeout_keep_alive": settings.api_keep_alive_seconds,
        "limit_concurrency": settings.api_max_connections,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the API with the VIDREK_* settings of the environment (what `vidrek api` / `vidrek up` run);
    ``--host`` and ``--port`` override api_host and api_port."""
    from api.app import create_app

    parser = argparse.ArgumentParser(prog="python -m api.server", description=main.__doc__)
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    settings = get_settings()
    address = {"host": args.host or settings.api_host, "port": args.port or settings.api_port}
    uvicorn.Server(server_config(create_app(settings), settings, **address)).run()


if __name__ == "__main__":
    main()
