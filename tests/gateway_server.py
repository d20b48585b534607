"""A real local HTTP server that plays Evolution API v2 and WAHA: instances, QR codes, sending.

Knobs for hostile behaviour: `garbage` (a non-JSON reply), `huge` (a reply past the client's cap),
`redirect_to` (a 302 elsewhere), `fail_status` (answer this status with an error body).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

QR_CODE = "2@FakePairingCode,AbCdEf0123456789,XyZ=="


@dataclass
class FakeGateway:
    api_key: str = "chave-global-do-gateway"
    instance_key: str = "chave-da-instancia-0001"
    qr: str = QR_CODE
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # method, path, headers
    garbage: bool = False
    huge: bool = False
    redirect_to: str | None = None
    fail_status: int | None = None
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: FakeGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, payload: Any, *, raw: bytes | None = None) -> None:
            body = raw if raw is not None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length)) if length else None

        def _gate(self) -> bool:
            with state.lock:
                state.requests.append((self.command, self.path, dict(self.headers)))
            if state.redirect_to:
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return False
            if state.garbage:
                self._reply(200, None, raw=b"<html>Bad Gateway \x00\x1b[31m</html>")
                return False
            if state.huge:
                self._reply(200, None, raw=b'{"pad":"' + b"x" * (2 * 1024 * 1024) + b'"}')
                return False
            if state.fail_status:
                message = "<script>alert(1)</script>" + "x" * 1000
                self._reply(state.fail_status, {"status": state.fail_status, "error": "Error",
                                                "response": {"message": [message]}})  # fmt: skip
                return False
            keys = {self.headers.get("apikey"), self.headers.get("X-Api-Key")}
            if not keys & {state.api_key, state.instance_key}:
                self._reply(401, {"status": 401, "error": "Unauthorized", "response": {"message": "Unauthorized"}})
                return False
            return True

        def do_GET(self) -> None:
            if not self._gate():
                return
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts[:2] == ["instance", "connect"]:
                self._reply(200, {"pairingCode": None, "code": state.qr, "count": 2})
            elif parts[:2] == ["instance", "connectionState"]:
                self._reply(200, {"instance": {"instanceName": parts[2], "state": "connecting"}})
            elif parts[:1] == ["api"] and parts[2:4] == ["auth", "qr"]:
                self._reply(200, {"value": state.qr})
            elif parts[:2] == ["api", "sessions"] and len(parts) == 3:
                self._reply(200, {"name": parts[2], "status": "SCAN_QR_CODE"})
            else:
                self._reply(404, {"message": "not found"})

        def do_POST(self) -> None:
            if not self._gate():
                return
            body = self._body()
            path = self.path.split("?")[0]
            with state.lock:
                if path == "/instance/create":
                    state.instances[body["instanceName"]] = body
                    qrcode = {"pairingCode": None, "code": state.qr, "base64": "data:image/png;base64,AA"}
                    instance = {"instanceName": body["instanceName"], "status": "created"}
                    self._reply(201, {"instance": instance, "hash": state.instance_key, "qrcode": qrcode})
                elif path == "/api/sessions":
                    state.instances[body["name"]] = body
                    self._reply(201, {"name": body["name"], "status": "STARTING", "config": body.get("config")})
                elif path.startswith("/message/sendText/"):
                    state.sent.append({"instance": path.rsplit("/", 1)[1], **body})
                    self._reply(201, {"key": {"remoteJid": f"{body['number']}@s.whatsapp.net", "fromMe": True,
                                              "id": f"3EB0SENT{len(state.sent)}"}, "status": "PENDING"})  # fmt: skip
                elif path == "/api/sendText":
                    state.sent.append(body)
                    self._reply(201, {"id": f"true_{body['chatId']}_WAHASENT{len(state.sent)}"})
                else:
                    self._reply(404, {"message": "not found"})

    return Handler


@contextmanager
def running_gateway(state: FakeGateway | None = None) -> Iterator[FakeGateway]:
    state = state or FakeGateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
