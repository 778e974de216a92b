"""Tables of the service's own users and their tokens (tokens are stored as SHA-256 hashes, never in clear)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class UserRow(SQLModel, table=True):
    """A person who signs in with tokens the service issues."""

    __tablename__ = "api_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    role: str = Field(max_length=16)
    jobseeker_id: str | None = Field(default=None, max_length=64)
    """The dossier a jobseeker owns (None for staff)."""
    active: bool = True
    created_at: datetime


class TokenRow(SQLModel, table=True):
    """A bearer token: only the SHA-256 of its secret is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="api_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    label: str = Field(default="", max_length=100)
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class SignInFailureRow(SQLModel, table=True):
    """A failed sign-in: from which address (as a digest, never the address) and when.

    Kept in the database so that the limit per address holds for the service, whichever process or host the
    attempts reach; rows older than the counting window are deleted as new failures come in.
    """

    __tablename__ = "sign_in_failure"

    id: int | None = Field(default=None, primary_key=True)
    client: str = Field(max_length=32, index=True)
    at: datetime = Field(index=True)


AUTH_TABLES = [UserRow.__table__, TokenRow.__table__, SignInFailureRow.__table__]  # type: ignore[attr-defined]

__all__ = ["AUTH_TABLES", "SignInFailureRow", "TokenRow", "UserRow"]
