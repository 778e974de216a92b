"""The audit log of what an operator does with the ``skillmatch`` command: users, tokens, erasures.

The service writes its audit rows per route (``api.audit_trail``); the command writes the same rows for the same
changes, with the operating-system account that ran it as the actor (``cli:<login>``).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable

from sqlalchemy.engine import Engine

from api.audit import AuditLog
from api.audit_actions import AuditAction
from api.auth.roles import Principal, Role


def operator() -> Principal:
    """The operator running the command, as the audit log names them."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no account name (a container without one)
        login = "unknown"
    return Principal(f"cli:{login}", login, Role.admin, via="cli")


def cli_trail(db: Engine, why: str = "administration") -> Callable[[AuditAction, str], None]:
    """A callback that records one change made with the command (action, record) in the audit log."""
    log, who = AuditLog(db), operator()

    def record(action: AuditAction, target: str) -> None:
        log.record(who, action, target, [], why=why)

    return record


__all__ = ["cli_trail", "operator"]
