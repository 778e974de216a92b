"""A lean HTTP/1.1 client for load generators: one kept-alive connection, one request at a time.

A load generator shares the machine's cores with the server it measures: each millisecond of its own CPU per
request is one the server does not get. httpx costs about 1.6 ms of the generator's CPU per request here (its
pool, its models of headers and URLs); this client writes the request line and headers, reads the status line,
the headers and the body (``Content-Length`` or chunked), and keeps the connection for the next request. It is
enough for the service's own JSON API on loopback, not a general client (no TLS, no redirects, no compression).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any


class HTTPError(Exception):
    """The exchange failed (connection refused or closed, a timeout, a response that is not HTTP/1.1)."""


@dataclass(frozen=True)
class Response:
    """A response's status and body."""

    status_code: int
    content: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.content)


class Connection:
    """One kept-alive connection to ``host:port``; a request waits while the one before it is out."""

    def __init__(self, host: str, port: int, headers: dict[str, str], timeout: float) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        lines = [f"Host: {host}:{port}", *(f"{name}: {value}" for name, value in headers.items())]
        self._headers = "".join(f"{line}\r\n" for line in lines)
        self._lock = asyncio.Lock()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> Response:
        """``GET target`` (a path with its query string)."""
        return await self.request("GET", target)

    async def post(self, target: str, body: Any) -> Response:
        """``POST target`` with ``body`` as JSON."""
        return await self.request("POST", target, json.dumps(body).encode())

    async def request(self, method: str, target: str, body: bytes | None = None) -> Response:
        """Send one request and read its whole response.

        Raises:
            HTTPError: on any failure of the exchange (the connection is closed; the next request opens another).
        """
        async with self._lock:
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._exchange(method, target, body)
            except (OSError, EOFError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
                self.close()
                raise HTTPError(type(exc).__name__) from exc

    async def _exchange(self, method: str, target: str, body: bytes | None) -> Response:
        if self._reader is not None and self._reader.at_eof():
            self.close()  # the server closed the kept-alive connection while it was idle
        reused = self._reader is not None
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {target} HTTP/1.1\r\n{self._headers}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        request = (head + "\r\n").encode("latin-1") + (body or b"")
        self._writer.write(request)
        reader = self._reader
        try:
            lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
            if not reused or getattr(exc, "partial", b""):
                raise
            # The server closed the idle connection as the request left (its keep-alive timeout): once more on a
            # new connection, as a browser would; nothing of a response was read.
            self.close()
            return await self._exchange(method, target, body)
        version, status, *_ = lines[0].split(" ", 2)
        if not version.startswith("HTTP/1."):
            raise ValueError(f"not an HTTP/1 response: {lines[0]!r}")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip().lower()
        if "content-length" in fields:
            content = await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            content = await _chunked(reader)
        else:  # the body runs to the connection's end
            content = await reader.read()
            fields["connection"] = "close"
        if fields.get("connection") == "close":
            self.close()
        return Response(int(status), content)

    def close(self) -> None:
        """Close the connection (a later request opens a new one)."""
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await _trailers(reader)
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def _trailers(reader: asyncio.StreamReader) -> None:
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass


__all__ = ["Connection", "HTTPError", "Response"]
