"""The load generator's lean HTTP/1.1 client (``benchmarks.lean_http``) against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.lean_http import Connection, HTTPError


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections alive

    def log_message(self, *_args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.connections.add(self.client_address)  # type: ignore[attr-defined]
        if self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b'{"a": ', b"[1, 2]", b"}"):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        body = json.dumps({"path": self.path, "auth": self.headers.get("Authorization")}).encode()
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/last":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        received = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body = json.dumps({"received": received}).encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.connections = set()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_requests_share_one_kept_alive_connection_and_read_every_kind_of_body(server: ThreadingHTTPServer) -> None:
    async def run() -> list[tuple[int, object]]:
        client = Connection("127.0.0.1", server.server_address[1], {"Authorization": "Bearer t"}, timeout=5)
        try:
            answers = [await client.get("/vacancies/v1/candidates?k=10") for _ in range(3)]
            answers.append(await client.get("/missing"))
            answers.append(await client.get("/chunked"))
            answers.append(await client.post("/jobseekers", {"id": "js-1", "skills": ["é"]}))
            return [(answer.status_code, answer.json()) for answer in answers]
        finally:
            client.close()

    answers = asyncio.run(run())
    assert answers[0] == (200, {"path": "/vacancies/v1/candidates?k=10", "auth": "Bearer t"})
    assert answers[3][0] == 404
    assert answers[4] == (200, {"a": [1, 2]})
    assert answers[5] == (201, {"received": {"id": "js-1", "skills": ["é"]}})
    assert len(server.connections) == 1  # type: ignore[attr-defined]


def test_a_connection_the_server_closed_is_replaced_and_a_refused_one_is_an_http_error(
    server: ThreadingHTTPServer,
) -> None:
    port = server.server_address[1]

    async def run() -> list[int]:
        client = Connection("127.0.0.1", port, {}, timeout=5)
        statuses = [(await client.get("/last")).status_code]  # the server closes after answering
        statuses.append((await client.get("/next")).status_code)
        client.close()
        return statuses

    assert asyncio.run(run()) == [200, 200]
    assert len(server.connections) == 2  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()

    async def refused() -> None:
        await Connection("127.0.0.1", port, {}, timeout=5).get("/")

    with pytest.raises(HTTPError):
        asyncio.run(refused())
