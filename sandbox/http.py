"""The plumbing both fake providers share: bounded request bodies, JSON and HTML answers."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any, Final

MAX_BODY: Final = 1024 * 1024  # nothing Atalaia or the page sends is near this


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Handler(BaseHTTPRequestHandler):
    server_version = "atalaia-sandbox"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the page's log says what matters; request lines would print tokens in paths

    def raw_body(self) -> bytes:
        declared = self.headers.get("Content-Length") or "0"
        if not declared.isdigit():
            raise BodyError(400, "Content-Length inválido")
        if int(declared) > MAX_BODY:
            raise BodyError(413, "corpo grande demais")
        return self.rfile.read(int(declared))

    def json_body(self) -> dict[str, Any]:
        try:
            payload = json.loads(self.raw_body() or b"null")
        except (ValueError, RecursionError):
            raise BodyError(400, "o corpo não é JSON") from None
        if not isinstance(payload, dict):
            raise BodyError(400, "o corpo deve ser um objeto JSON")
        return payload

    def send_json(self, status: int, payload: Any) -> None:
        self.send_bytes(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

    def send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def path_parts(self) -> list[str]:
        return [part for part in self.path.split("?", 1)[0].split("/") if part]
