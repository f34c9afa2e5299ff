"""A live HTTP video stream for stream processor tests, made from real clips.

:func:`make_ts_stream` re-encodes a clip (looped) into MPEG-TS, a format that plays from a plain
sequential HTTP download (no index, no range requests), with a key frame every second. The
:class:`LiveStreamServer` serves such files from a folder over HTTP on loopback at about real-time rate
(so the connection lasts as long as the video), and can be switched :meth:`~LiveStreamServer.down`
(open connections are cut, new ones refused with 503) and back :meth:`~LiveStreamServer.up`, like a
camera that drops off the network and comes back.
"""

from __future__ import annotations

import socket
import threading
import time
from fractions import Fraction
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import av

#: Bytes sent per write; between writes the server checks whether it was taken down.
CHUNK_BYTES = 4096
#: The server sends this much faster than real time, so the player's buffer never runs dry.
RATE_MARGIN = 1.5


def make_ts_stream(source: Path, target: Path, loops: int = 1) -> float:
    """Write ``source`` played ``loops`` times as H.264 MPEG-TS to ``target``; return its duration (s)."""
    with av.open(str(source)) as inp:
        in_stream = inp.streams.video[0]
        rate = in_stream.average_rate or Fraction(25)
        frames = [frame.to_ndarray(format="rgb24") for frame in inp.decode(in_stream)]
    with av.open(str(target), mode="w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "g": str(round(rate)), "bf": "0"}
        index = 0
        for _ in range(loops):
            for image in frames:
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts = index
                frame.time_base = Fraction(1) / Fraction(rate)
                out.mux(stream.encode(frame))
                index += 1
        out.mux(stream.encode(None))
    return float(index / Fraction(rate))


class _Handler(BaseHTTPRequestHandler):
    server: LiveStreamServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        srv = self.server
        if srv.is_down:
            self.send_error(HTTPStatus.SERVICE_UNAVAILABLE, "stream is down")
            return
        path = srv.folder / self.path.lstrip("/")
        if not path.is_file() or path.name not in srv.durations:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        data = path.read_bytes()
        bytes_per_second = RATE_MARGIN * len(data) / srv.durations[path.name]
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "video/mp2t")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        started = time.monotonic()
        sent = 0
        with srv.lock:
            srv.connections += 1
        try:
            while sent < len(data):
                if srv.is_down:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                allowed = (time.monotonic() - started) * bytes_per_second + 4 * CHUNK_BYTES
                if sent >= allowed:
                    time.sleep(0.02)
                    continue
                self.wfile.write(data[sent : sent + CHUNK_BYTES])
                sent += CHUNK_BYTES
        except OSError:
            return


class LiveStreamServer(ThreadingHTTPServer):
    """Serves the registered ``.ts`` files of ``folder`` at about real-time rate; a context manager."""

    daemon_threads = True

    def __init__(self, folder: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.folder = folder
        self.durations: dict[str, float] = {}
        self.is_down = False
        self.connections = 0
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def add(self, name: str, duration_seconds: float) -> str:
        self.durations[name] = duration_seconds
        return self.url(name)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{name}"

    def down(self) -> None:
        self.is_down = True

    def up(self) -> None:
        self.is_down = False

    def __enter__(self) -> LiveStreamServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.shutdown()
        self.server_close()
