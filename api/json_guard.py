"""Reading request bodies as JSON, once and safely: ``parse_body`` is the one parser of a raw body (a body that
is not JSON, nested beyond the parser's depth or names a key twice is ``InvalidBody``, a 400 problem, never an
exception that escapes), and the ``DuplicateKeyGuard`` middleware refuses a JSON body whose objects name a key
twice before any route.

The body is read once here and handed on unchanged; what is not JSON at all is left to the routes' own error
(400 ``invalid-json`` with the position).
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem_response
from ingestion.strict_json import DuplicateKey, loads_strict

_METHODS = frozenset({"POST", "PUT", "PATCH"})


class InvalidBody(ValueError):
    """A request body that cannot be read as JSON (the message says why, for people)."""


def parse_body(raw: bytes) -> Any:
    """A raw request body as JSON (None when empty).

    Raises:
        InvalidBody: not JSON, nested too deep for the parser (``RecursionError``), or a key named twice.
    """
    if not raw:
        return None
    try:
        return loads_strict(raw)
    except DuplicateKey as exc:
        raise InvalidBody(f"the body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise InvalidBody("the body is not valid JSON: it is nested too deep") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidBody(f"the body is not valid JSON: {exc}") from exc


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind = value.split(b";")[0].strip().lower()
            return bool(kind == b"application/json" or kind.endswith(b"+json"))
    return False


class DuplicateKeyGuard:
    """Refuses JSON bodies with duplicate keys as ``invalid-json`` problems."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _METHODS or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            loads_strict(body)
        except DuplicateKey as exc:
            reason = f"the body is not valid JSON: {exc}"
            response = problem_response(
                400, "invalid-json", reason, instance=scope.get("path"), errors=[{"field": "(body)", "reason": reason}]
            )
            await response(scope, receive, send)
            return
        except (ValueError, RecursionError):  # not JSON: the route says where
            pass
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


__all__ = ["DuplicateKeyGuard", "InvalidBody", "parse_body"]
