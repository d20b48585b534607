"""The simulator's HTTP connection against a real local server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest

from atalaia.simulate_http import MAX_ANSWER_BYTES, HttpFailure, KeepAliveConnection

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    return head + await reader.readexactly(length)


def _answer(body: bytes, *, close: bool = False) -> bytes:
    extra = b"Connection: close\r\n" if close else b""
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def _run(handler: Handler, client: Callable[[str], Awaitable[object]]) -> object:
    async def main() -> object:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await client(f"http://127.0.0.1:{port}")

    return asyncio.run(main())


def test_requests_share_one_connection_and_carry_the_exact_body() -> None:
    seen: list[bytes] = []
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while not reader.at_eof():
            try:
                seen.append(await _read_request(reader))
            except asyncio.IncompleteReadError:
                break
            writer.write(_answer(b'{"new": 1}'))
            await writer.drain()

    async def client(url: str) -> object:
        connection = KeepAliveConnection(url, timeout=5, connect_timeout=5)
        answers = [await connection.post("/webhooks/cloud", b'{"a": %d}' % i, {"X-Test": "1"}) for i in range(3)]
        await connection.close()
        return answers

    answers = _run(handler, client)
    assert [(a.status, a.body) for a in answers] == [(200, b'{"new": 1}')] * 3  # type: ignore[attr-defined]
    assert connections == 1
    assert seen[2].startswith(b"POST /webhooks/cloud HTTP/1.1\r\n")
    assert seen[2].endswith(b'\r\n\r\n{"a": 2}')
    assert b"x-test: 1" in seen[2].lower()


def test_a_connection_the_server_closes_is_reopened_for_the_next_request() -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await _read_request(reader)
        writer.write(_answer(b"ok", close=True))
        await writer.drain()
        writer.close()

    async def client(url: str) -> object:
        connection = KeepAliveConnection(url, timeout=5, connect_timeout=5)
        statuses = [(await connection.post("/x", b"{}", {})).status for _ in range(2)]
        await connection.close()
        return statuses

    assert _run(handler, client) == [200, 200]
    assert connections == 2


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "RemoteProtocolError"),  # cut short
        (b"\x00\xffnot http at all\r\n\r\n", "RemoteProtocolError"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (MAX_ANSWER_BYTES + 1) + b"x" * (MAX_ANSWER_BYTES + 1),
            "AnswerTooLarge",
        ),
    ],
)
def test_a_broken_answer_is_a_failure_with_a_name(reply: bytes, kind: str) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(reply)
        await writer.drain()
        writer.close()

    async def client(url: str) -> object:
        connection = KeepAliveConnection(url, timeout=5, connect_timeout=5)
        with pytest.raises(HttpFailure) as failure:
            await connection.post("/x", b"{}", {})
        return failure.value.kind

    assert _run(handler, client) == kind


def test_a_server_that_never_answers_times_out() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def client(url: str) -> object:
        connection = KeepAliveConnection(url, timeout=0.2, connect_timeout=1)
        with pytest.raises(HttpFailure) as failure:
            await connection.post("/x", b"{}", {})
        return failure.value.kind

    assert _run(handler, client) == "ReadTimeout"


def test_nothing_listening_is_a_failure_not_a_crash() -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there after

    async def main() -> str:
        connection = KeepAliveConnection(f"http://127.0.0.1:{port}", timeout=2, connect_timeout=2)
        with pytest.raises(HttpFailure) as failure:
            await connection.post("/x", b"{}", {})
        return failure.value.kind

    assert asyncio.run(main()) == "ConnectionRefusedError"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1", "127.0.0.1:8000", "http://"])
def test_only_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        KeepAliveConnection(url, timeout=1, connect_timeout=1)
