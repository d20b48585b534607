"""A real local HTTP server that plays a gateway's media host (WAHA's /api/files, Evolution's MinIO).

It records every request it receives, so a test can prove that a refused URL was never fetched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeMediaHost:
    files: dict[str, bytes] = field(default_factory=dict)  # path (query ignored) -> bytes
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location
    endless: set[str] = field(default_factory=set)  # paths streamed without Content-Length, 64 MiB of zeros
    api_key: str | None = None  # when set, X-Api-Key must carry it (WAHA)
    failures_left: int = 0  # answer 503 this many times first
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path with query, headers)
    streamed: int = 0  # bytes of endless bodies actually written before the client hung up
    origin: str = ""

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"


ENDLESS_BYTES = 64 * 1024 * 1024
CHUNK = 64 * 1024


def _handler(state: FakeMediaHost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _stream_endless(self) -> None:
            # HTTP/1.0 without Content-Length: only the client's own count can stop it.
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.end_headers()
            zeros = bytes(CHUNK)
            try:
                while state.streamed < ENDLESS_BYTES:
                    self.wfile.write(zeros)
                    state.streamed += CHUNK
            except OSError:
                pass  # the client hung up, as it should

        def do_GET(self) -> None:
            state.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            path = self.path.split("?", 1)[0]
            if state.api_key is not None and self.headers.get("X-Api-Key") != state.api_key:
                self._reply(401, b'{"message":"Unauthorized","statusCode":401}')
            elif state.failures_left > 0:
                state.failures_left -= 1
                self._reply(503, b"temporarily unavailable")
            elif path in state.redirects:
                self._reply(302, b"", {"Location": state.redirects[path]})
            elif path in state.endless:
                self._stream_endless()
            elif path in state.files:
                self._reply(200, state.files[path], {"Content-Type": "application/octet-stream"})
            else:
                self._reply(404, b"not found")

    return Handler


@contextmanager
def running_media_host(state: FakeMediaHost | None = None) -> Iterator[FakeMediaHost]:
    state = state or FakeMediaHost()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
