"""The service's own users and bearer tokens: random secrets, stored hashed, revocable, with an expiry.

A token is ``smt_`` followed by 32 random bytes in URL-safe base64; the database keeps its SHA-256 only, so a
copy of the database gives no usable token. The clear token is shown once, when it is issued.

A jobseeker user is created only for a dossier that exists, and signs in only while it exists: once the dossier
is erased (by the jobseeker, an administrator or the retention purge) their tokens are refused as ``DossierGone``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from api.audit_actions import AuditAction
from api.auth.models import TokenRow, UserRow
from api.auth.roles import Principal, Role
from ingestion.models import JobseekerRecord

TOKEN_PREFIX = "smt_"
_USERS = UserRow.__table__  # type: ignore[attr-defined]
_TOKENS = TokenRow.__table__  # type: ignore[attr-defined]
_DOSSIERS = JobseekerRecord.__table__  # type: ignore[attr-defined]


class UserError(ValueError):
    """A user cannot be created or changed as asked (the message says why)."""


class TokenRejected(Exception):
    """A presented token is not (or no longer) valid; the message says why, without the token."""


class DossierGone(TokenRejected):
    """A jobseeker whose dossier no longer exists (it was erased): they cannot sign in any more."""

    def __init__(self) -> None:
        super().__init__("this jobseeker's dossier has been erased: the account no longer signs in")


@dataclass(frozen=True)
class User:
    """A user of the service."""

    id: int
    name: str
    role: Role
    jobseeker_id: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed (never with its secret)."""

    id: int
    user_id: int
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    """A newly issued token: the only time its secret is known."""

    token: str
    info: TokenInfo


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(value: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; they were stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _user(row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    return User(m["id"], m["name"], Role(m["role"]), m["jobseeker_id"], bool(m["active"]), _utc(m["created_at"]))


def _info(row: object) -> TokenInfo:
    m = row._mapping  # type: ignore[attr-defined]
    revoked = m["revoked_at"]
    return TokenInfo(
        m["id"], m["user_id"], m["label"], _utc(m["created_at"]), _utc(m["expires_at"]), revoked and _utc(revoked)
    )


class TokenStore:
    """Users and tokens in the service's database."""

    def __init__(self, engine: Engine, on_change: Callable[[AuditAction, str], None] | None = None) -> None:
        """Args:
        engine: the database (tables created by the wiring).
        on_change: told of each change made (the action and the user's or token's id), for an audit log
            outside the service's routes (the command's; the routes write theirs themselves).
        """
        self.engine = engine
        self.on_change = on_change

    def _changed(self, action: AuditAction, target: int) -> None:
        if self.on_change is not None:
            self.on_change(action, str(target))

    # -- users --------------------------------------------------------------------------------------------

    def add_user(self, name: str, role: Role, jobseeker_id: str | None = None) -> User:
        """Create a user.

        Args:
            name: a unique user name.
            role: the user's role.
            jobseeker_id: the dossier a jobseeker owns (required for, and only for, jobseekers).

        Raises:
            UserError: the name is taken, the dossier id does not fit the role, or there is no such dossier.
        """
        if role is Role.jobseeker and not jobseeker_id:
            raise UserError("a jobseeker user needs the id of their dossier")
        if role is not Role.jobseeker and jobseeker_id:
            raise UserError("only jobseeker users own a dossier")
        if jobseeker_id and not self.dossier_exists(jobseeker_id):
            raise UserError(f"there is no dossier {jobseeker_id!r}: a jobseeker user owns an existing dossier")
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    _USERS.insert().values(
                        name=name, role=role.value, jobseeker_id=jobseeker_id, active=True, created_at=now
                    )
                )
                user_id = _new_id(result)
        except IntegrityError as exc:
            raise UserError(f"a user named {name!r} already exists") from exc
        self._changed(AuditAction.user_create, user_id)
        return User(user_id, name, role, jobseeker_id, True, now)

    def dossier_exists(self, jobseeker_id: str) -> bool:
        """Whether a jobseeker's dossier is stored."""
        with self.engine.connect() as conn:
            return conn.execute(select(_DOSSIERS.c.id).where(_DOSSIERS.c.id == jobseeker_id)).first() is not None

    def user(self, user_id: int) -> User | None:
        """A user by id."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_USERS).where(_USERS.c.id == user_id)).first()
        return _user(row) if row is not None else None

    def user_by_name(self, name: str) -> User | None:
        """A user by name."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_USERS).where(_USERS.c.name == name)).first()
        return _user(row) if row is not None else None

    def users(self, *, limit: int = 500, offset: int = 0) -> list[User]:
        """Users, by id."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(_USERS).order_by(_USERS.c.id).limit(limit).offset(offset)).all()
        return [_user(r) for r in rows]

    def count_users(self) -> int:
        """How many users there are."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(_USERS)).scalar_one())

    def set_active(self, user_id: int, active: bool) -> User | None:
        """Enable or disable a user (a disabled user's tokens stop working at once)."""
        with self.engine.begin() as conn:
            conn.execute(update(_USERS).where(_USERS.c.id == user_id).values(active=active))
        self._changed(AuditAction.user_change, user_id)
        return self.user(user_id)

    # -- tokens -------------------------------------------------------------------------------------------

    def issue(self, user_id: int, *, days: float = 90, label: str = "") -> IssuedToken:
        """Issue a new token for a user.

        Args:
            user_id: the user.
            days: how long the token is valid.
            label: what the token is for (shown in listings).

        Raises:
            UserError: no such user.
        """
        if self.user(user_id) is None:
            raise UserError(f"no user with id {user_id}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        expires = now + timedelta(days=days)
        with self.engine.begin() as conn:
            result = conn.execute(
                _TOKENS.insert().values(
                    user_id=user_id, token_hash=hash_token(token), label=label, created_at=now, expires_at=expires
                )
            )
            token_id = _new_id(result)
        self._changed(AuditAction.token_issue, user_id)
        return IssuedToken(token, TokenInfo(token_id, user_id, label, now, expires, None))

    def tokens(self, user_id: int | None = None) -> list[TokenInfo]:
        """Tokens (of one user, or all), newest first, without their secrets."""
        query = select(_TOKENS).order_by(_TOKENS.c.id.desc())
        if user_id is not None:
            query = query.where(_TOKENS.c.user_id == user_id)
        with self.engine.connect() as conn:
            return [_info(r) for r in conn.execute(query)]

    def token(self, token_id: int) -> TokenInfo | None:
        """One token's listing."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_TOKENS).where(_TOKENS.c.id == token_id)).first()
        return _info(row) if row is not None else None

    def revoke(self, token_id: int) -> TokenInfo | None:
        """Revoke a token (it stops working at once); None when there is no such token."""
        with self.engine.begin() as conn:
            conn.execute(
                update(_TOKENS)
                .where(_TOKENS.c.id == token_id, _TOKENS.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        self._changed(AuditAction.token_revoke, token_id)
        return self.token(token_id)

    def verify(self, token: str) -> Principal:
        """The principal a presented token stands for.

        Raises:
            TokenRejected: unknown, revoked or expired token, or a disabled user.
        """
        query = (
            select(_TOKENS.c.expires_at, _TOKENS.c.revoked_at, _USERS, _DOSSIERS.c.id.label("dossier"))
            .join(_USERS, _USERS.c.id == _TOKENS.c.user_id)
            .outerjoin(_DOSSIERS, _DOSSIERS.c.id == _USERS.c.jobseeker_id)
            .where(_TOKENS.c.token_hash == hash_token(token))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise TokenRejected("unknown token")
        m = row._mapping
        if m["revoked_at"] is not None:
            raise TokenRejected("the token has been revoked")
        if _utc(m["expires_at"]) <= datetime.now(UTC):
            raise TokenRejected("the token has expired")
        if not m["active"]:
            raise TokenRejected("the user is disabled")
        if m["role"] == Role.jobseeker.value and m["dossier"] is None:
            raise DossierGone()
        return Principal(f"user:{m['id']}", m["name"], Role(m["role"]), m["jobseeker_id"], "token")


__all__ = [
    "TOKEN_PREFIX",
    "DossierGone",
    "IssuedToken",
    "TokenInfo",
    "TokenRejected",
    "TokenStore",
    "User",
    "UserError",
    "hash_token",
]
