"""Users and their tokens (admins only); ``GET /me`` tells any signed-in caller who they are."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from api.auth.roles import Role
from api.auth.rules import AuditEntryDep, PrincipalDep
from api.auth.tokens import TokenInfo, User, UserError
from api.deps import TokensDep
from api.errors import Conflict
from api.routes.common import ID_PATTERN, RowId
from api.strict import strict_body
from matching.errors import UnknownProfile

UserExists = Conflict

router = APIRouter(tags=["users"])
UserId = RowId


class UserIn(BaseModel):
    """A new user."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$", examples=["a.peeters"])
    role: Role
    jobseeker_id: str | None = Field(
        default=None, pattern=ID_PATTERN, description="The dossier a jobseeker owns (jobseekers only)."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [{"name": "a.peeters", "role": "consultant"}],
            "allOf": [
                {
                    "if": {"properties": {"role": {"const": "jobseeker"}}, "required": ["role"]},
                    "then": {"required": ["jobseeker_id"], "properties": {"jobseeker_id": {"type": "string"}}},
                    "else": {"properties": {"jobseeker_id": {"type": "null"}}},
                }
            ],
        }
    }


class UserOut(BaseModel):
    """A user."""

    id: int
    name: str
    role: Role
    jobseeker_id: str | None
    active: bool
    created_at: datetime


class UserActiveIn(BaseModel):
    """Enable or disable a user."""

    active: bool

    model_config = {"json_schema_extra": {"examples": [{"active": False}]}}


class TokenIn(BaseModel):
    """A token to issue."""

    days: float = Field(default=90, gt=0, le=3650, description="How long the token is valid.")
    label: str = Field(default="", max_length=100, description="What the token is for.")

    model_config = {"json_schema_extra": {"examples": [{"days": 30, "label": "laptop"}]}}


class TokenOut(BaseModel):
    """A token, without its secret."""

    id: int
    user_id: int
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    """A new token: its secret is shown this once."""

    token: str


class MeOut(BaseModel):
    """The signed-in caller."""

    subject: str
    name: str
    role: Role
    jobseeker_id: str | None
    via: str


def _user(user: User) -> UserOut:
    return UserOut(**user.__dict__)


def _token(info: TokenInfo) -> TokenOut:
    return TokenOut(**info.__dict__)


def _user_or_404(tokens: TokensDep, user_id: int) -> User:
    user = tokens.user(user_id)
    if user is None:
        raise UnknownProfile(f"no user with id {user_id}")
    return user


@router.get("/me", response_model=MeOut)
def me(principal: PrincipalDep) -> MeOut:
    """Who the token belongs to: subject, name, role and (jobseekers) dossier id."""
    return MeOut(**principal.__dict__)


@router.get("/users", response_model=list[UserOut])
def list_users(tokens: TokensDep) -> list[UserOut]:
    """Every user of the service's own sign-in."""
    return [_user(u) for u in tokens.users()]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED, dependencies=[strict_body(UserIn)])
def add_user(body: UserIn, tokens: TokensDep, trail: AuditEntryDep) -> UserOut:
    """Create a user (a jobseeker user names the existing dossier they own)."""
    if tokens.user_by_name(body.name) is not None:
        raise UserExists(f"a user named {body.name!r} already exists")
    try:
        user = tokens.add_user(body.name, body.role, body.jobseeker_id)
    except UserError as exc:
        raise UserExists(str(exc)) from exc
    trail.target = str(user.id)
    return _user(user)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: UserId, tokens: TokensDep) -> UserOut:
    """One user."""
    return _user(_user_or_404(tokens, user_id))


@router.put("/users/{user_id}/active", response_model=UserOut, dependencies=[strict_body(UserActiveIn)])
def set_user_active(user_id: UserId, body: UserActiveIn, tokens: TokensDep) -> UserOut:
    """Enable or disable a user (a disabled user's tokens stop working at once)."""
    _user_or_404(tokens, user_id)
    user = tokens.set_active(user_id, body.active)
    assert user is not None
    return _user(user)


@router.get("/users/{user_id}/tokens", response_model=list[TokenOut])
def list_tokens(user_id: UserId, tokens: TokensDep) -> list[TokenOut]:
    """A user's tokens, newest first, without their secrets."""
    _user_or_404(tokens, user_id)
    return [_token(t) for t in tokens.tokens(user_id)]


@router.post(
    "/users/{user_id}/tokens",
    response_model=IssuedTokenOut,
    status_code=status.HTTP_201_CREATED,
    dependencies=[strict_body(TokenIn)],
)
def issue_token(user_id: UserId, body: TokenIn, tokens: TokensDep) -> IssuedTokenOut:
    """Issue a token for a user; its secret is in this answer only (the service keeps its hash)."""
    _user_or_404(tokens, user_id)
    issued = tokens.issue(user_id, days=body.days, label=body.label)
    return IssuedTokenOut(token=issued.token, **issued.info.__dict__)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: RowId, tokens: TokensDep) -> TokenOut:
    """Revoke a token: it stops working at once."""
    info = tokens.revoke(token_id)
    if info is None:
        raise UnknownProfile(f"no token with id {token_id}")
    return _token(info)
