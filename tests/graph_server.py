"""A real local HTTP server that plays the Graph API's media and messages endpoints."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeGraph:
    token: str = "token-do-sistema"
    media: dict[str, bytes] = field(default_factory=dict)
    failures_left: int = 0  # answer 503 this many times first
    sent: list[dict[str, object]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    base_url: str = ""
    phones: dict[str, dict[str, str]] = field(default_factory=dict)  # phone number id -> its Graph fields


def _handler(state: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                self._reply(401, b'{"error":{"message":"Invalid OAuth access token"}}')
                return False
            if state.failures_left > 0:
                state.failures_left -= 1
                self._reply(503, b'{"error":{"message":"temporarily unavailable"}}')
                return False
            return True

        def do_GET(self) -> None:
            state.requests.append(self.path)
            if not self._authorised():
                return
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) == 2 and parts[1] in state.phones:
                self._reply(200, json.dumps({"id": parts[1], **state.phones[parts[1]]}).encode())
            elif parts[:2] == ["files", parts[-1]] and parts[-1] in state.media:
                self._reply(200, state.media[parts[-1]], "application/octet-stream")
            elif len(parts) == 2 and parts[1] in state.media:
                url = f"{state.base_url.rsplit('/', 1)[0]}/files/{parts[1]}"
                size = str(len(state.media[parts[1]]))
                body = {"messaging_product": "whatsapp", "url": url, "mime_type": "application/pdf",
                        "file_size": size, "id": parts[1]}  # fmt: skip
                self._reply(200, json.dumps(body).encode())
            else:
                self._reply(404, b'{"error":{"message":"not found"}}')

        def do_POST(self) -> None:
            state.requests.append(self.path)
            if not self._authorised():
                return
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length))
            state.sent.append(payload)
            wamid = f"wamid.SENT{len(state.sent)}"
            self._reply(200, json.dumps({"messaging_product": "whatsapp", "messages": [{"id": wamid}]}).encode())

    return Handler


@contextmanager
def running_graph(state: FakeGraph | None = None) -> Iterator[FakeGraph]:
    state = state or FakeGraph()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v23.0"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
