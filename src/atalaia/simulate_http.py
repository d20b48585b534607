"""A lean keep-alive HTTP/1.1 connection for `atalaia simulate` (h11 over asyncio streams).

The simulator shares the machine with the server it loads in `bench/ingest_http.py`; through
httpx each POST cost the sender ~2 ms of CPU, more than the server spent archiving it, so the
benchmark measured the sender. h11 does only the HTTP framing (~0.1 ms a request). One
`KeepAliveConnection` per concurrent worker; a connection the server closes is reopened on the
next request. Answers are capped in size: the server is usually ours, but not necessarily.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import h11

MAX_ANSWER_BYTES: Final = 1 << 20
READ_CHUNK: Final = 1 << 16


class HttpFailure(Exception):
    """A request that got no complete answer; `kind` names why (for the tally)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes


class KeepAliveConnection:
    """Sequential requests over one connection to `base_url` (http or https), reopened when needed."""

    def __init__(self, base_url: str, *, timeout: float, connect_timeout: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self._tls = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._tls else 80)
        self._authority = parts.netloc.rpartition("@")[2]
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._http = h11.Connection(h11.CLIENT)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        try:
            return await asyncio.wait_for(self._exchange(path, body, headers), self._timeout)
        except TimeoutError:
            await self.close()
            raise HttpFailure("ReadTimeout") from None
        except (OSError, h11.ProtocolError) as exc:
            await self.close()
            raise HttpFailure(type(exc).__name__, str(exc)) from None
        except HttpFailure:
            await self.close()
            raise

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        self._http = h11.Connection(h11.CLIENT)
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _exchange(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        reader, writer = await self._open()
        fields = [("Host", self._authority), ("Content-Length", str(len(body))), *headers.items()]
        request = h11.Request(method="POST", target=self._prefix + path, headers=fields)
        writer.write(
            self._http.send(request) + self._http.send(h11.Data(data=body)) + self._http.send(h11.EndOfMessage())
        )
        status, received = 0, bytearray()
        while True:
            event = self._http.next_event()
            if event is h11.NEED_DATA:
                self._http.receive_data(await reader.read(READ_CHUNK))
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                received += event.data
                if len(received) > MAX_ANSWER_BYTES:
                    raise HttpFailure("AnswerTooLarge")
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise HttpFailure("RemoteProtocolError", "connection closed before the answer")
        if self._http.our_state is h11.DONE and self._http.their_state is h11.DONE:
            self._http.start_next_cycle()
        else:  # "Connection: close" from the server: the next request opens a new connection
            await self.close()
        return Answer(status, bytes(received))

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is not None and self._writer is not None:
            return self._reader, self._writer
        context = ssl.create_default_context() if self._tls else None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self._host, self._port, ssl=context), self._connect_timeout
            )
        except TimeoutError:
            raise HttpFailure("ConnectTimeout") from None
        self._reader, self._writer = reader, writer
        return reader, writer
