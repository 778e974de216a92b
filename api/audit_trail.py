"""ASGI middleware: a request whose route declares an audit action writes its audit row when it succeeds.

The row is prepared by ``api.auth.rules.authorize`` (who, what, about which record, why) and completed by the
route (the ids it returned, its search parameters). It is written before the response starts, once the status
is known: a success (below 400) writes it, a refusal or an error does not, and the caller never sees an answer
whose row is missing. A route that changed nothing after all (a refused form) marks its entry ``skipped``.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.audit import AuditEntry, AuditLog


class AuditTrail:
    """Writes each successful request's prepared audit row."""

    def __init__(self, app: ASGIApp, log: AuditLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def writing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                entry: AuditEntry | None = (scope.get("state") or {}).get("audit_entry")
                if entry is not None:
                    await run_in_threadpool(self.log.write, entry)
            await send(message)

        await self.app(scope, receive, writing_send)


__all__ = ["AuditTrail"]
