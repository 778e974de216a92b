"""Sign-in: the service's own tokens (hashed, revocable, expiring), JWTs from an identity provider whose keys
come from a JWKS file (a key pair generated here), failed sign-ins limited per address, and the CLI."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from api.audit import AuditAction, AuditLog, AuditRow
from api.auth import AuthConfig, JwtConfig, Role, TokenStore, UserError
from api.auth.guard import RateLimited, TokenBuckets
from api.auth.models import TokenRow
from api.auth.roles import Principal
from api.auth.tokens import TokenRejected, hash_token
from api.config import ApiConfig
from api.main import create_app
from ingestion.models import JobseekerRecord
from skillmatch.cli import app as cli
from skillmatch.schema import create_tables
from tests.auth import bearer

ISSUER = "https://idp.example.be/realms/actiris"


@pytest.fixture
def db(engine: Engine) -> Engine:
    create_tables(engine)
    return engine


def stored(db: Engine, *ids: str) -> None:
    """Dossiers as the sign-in sees them (a row of the jobseekers' table each)."""
    now = datetime.now(UTC)
    with db.begin() as conn:
        for jobseeker_id in ids:
            conn.execute(
                JobseekerRecord.__table__.insert().values(  # type: ignore[attr-defined]
                    id=jobseeker_id, content_hash="-", preferred_language="fr", data={}, links=[],
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip


def erase(db: Engine, jobseeker_id: str) -> None:
    with db.begin() as conn:
        table = JobseekerRecord.__table__  # type: ignore[attr-defined]
        conn.execute(table.delete().where(table.c.id == jobseeker_id))


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks(key: rsa.RSAPrivateKey, tmp_path: Path) -> Path:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [public | {"kid": "k1", "use": "sig", "alg": "RS256"}]}))
    return path


def token_for(key: rsa.RSAPrivateKey, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "sub": "u-42", "aud": "skillmatch", "iat": now, "exp": now + 300} | claims
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})


def jwt_app(db: Engine, jwks: Path, **config: Any) -> TestClient:
    settings = JwtConfig(jwks=str(jwks), issuer=ISSUER, audience="skillmatch", **config)
    return TestClient(create_app(db=db, config=ApiConfig(auth=AuthConfig(jwt=settings))))


def test_a_token_is_stored_as_its_hash_only(db: Engine) -> None:
    store = TokenStore(db)
    user = store.add_user("a.peeters", Role.consultant)
    issued = store.issue(user.id, days=1)
    assert issued.token.startswith("smt_") and len(issued.token) > 40
    with db.connect() as conn:
        stored = conn.execute(select(TokenRow.__table__)).one()._mapping  # type: ignore[attr-defined]
    assert stored["token_hash"] == hash_token(issued.token)
    assert issued.token not in str(dict(stored))
    assert store.verify(issued.token).name == "a.peeters"


def test_revoked_expired_and_disabled_tokens_are_refused(db: Engine) -> None:
    store = TokenStore(db)
    user = store.add_user("b.janssens", Role.admin)
    revoked = store.issue(user.id)
    store.revoke(revoked.info.id)
    with pytest.raises(TokenRejected, match="revoked"):
        store.verify(revoked.token)
    expired = store.issue(user.id, days=1e-9)
    with pytest.raises(TokenRejected, match="expired"):
        store.verify(expired.token)
    live = store.issue(user.id)
    store.set_active(user.id, False)
    with pytest.raises(TokenRejected, match="disabled"):
        store.verify(live.token)


def test_a_jobseeker_user_needs_a_dossier_and_staff_have_none(db: Engine) -> None:
    store = TokenStore(db)
    with pytest.raises(UserError, match="needs the id of their dossier"):
        store.add_user("c", Role.jobseeker)
    with pytest.raises(UserError, match="only jobseeker users"):
        store.add_user("d", Role.consultant, "J1")
    with pytest.raises(UserError, match="there is no dossier 'J1'"):
        store.add_user("e", Role.jobseeker, "J1")
    stored(db, "J1")
    token = store.issue(store.add_user("e", Role.jobseeker, "J1").id).token
    with pytest.raises(UserError, match="already exists"):
        store.add_user("e", Role.admin)
    assert store.verify(token).jobseeker_id == "J1"
    erase(db, "J1")  # an erased dossier's jobseeker signs in no more
    with pytest.raises(TokenRejected, match="erased"):
        store.verify(token)


def test_a_jwt_from_the_issuer_signs_in_with_its_role_and_dossier(
    db: Engine, jwks: Path, key: rsa.RSAPrivateKey
) -> None:
    stored(db, "J00007")
    with jwt_app(db, jwks) as client:
        me = client.get("/me", headers=bearer(token_for(key, role="jobseeker", jobseeker_id="J00007", name="Lea")))
        gone = client.get("/me", headers=bearer(token_for(key, role="jobseeker", jobseeker_id="J-ERASED")))
        assert gone.status_code == 401 and "erased" in gone.json()["detail"]
        assert me.status_code == 200
        assert me.json() == {"subject": "jwt:u-42", "name": "Lea", "role": "jobseeker", "jobseeker_id": "J00007",
                             "via": "jwt"}  # fmt: skip
        staff = client.get("/me", headers=bearer(token_for(key, role="consultant")))
        assert (staff.json()["role"], staff.json()["jobseeker_id"]) == ("consultant", None)


def test_role_and_dossier_come_from_configured_claims(db: Engine, jwks: Path, key: rsa.RSAPrivateKey) -> None:
    token = token_for(key, realm_access={"roles": ["offline", "staff"]}, dossier="J9")
    with jwt_app(db, jwks, role_claim="realm_access.roles", dossier_claim="dossier", role_map={"staff": "admin"}) as c:
        assert c.get("/me", headers=bearer(token)).json()["role"] == "admin"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": int(time.time()) - 3600}, "the token has expired"),
        ({"iss": "https://elsewhere.example"}, "the token is not valid (InvalidIssuerError)"),
        ({"aud": "another-service"}, "the token is not valid (InvalidAudienceError)"),
        ({"role": "superuser"}, "the token's 'role' claim names no role of this service"),
        ({"role": "jobseeker"}, "a jobseeker's token needs the 'jobseeker_id' claim"),
    ],
)
def test_a_bad_jwt_is_a_401_that_says_why(
    db: Engine, jwks: Path, key: rsa.RSAPrivateKey, claims: dict[str, Any], reason: str
) -> None:
    with jwt_app(db, jwks) as client:
        response = client.get("/me", headers=bearer(token_for(key, **({"role": "consultant"} | claims))))
    assert response.status_code == 401
    assert response.json()["detail"] == reason


def test_a_jwt_signed_by_another_key_is_refused(db: Engine, jwks: Path) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with jwt_app(db, jwks) as client:
        response = client.get("/me", headers=bearer(token_for(other, role="admin")))
    assert (response.status_code, response.json()["detail"]) == (401, "the token is not valid (InvalidSignatureError)")


def test_without_an_issuer_no_jwt_is_accepted(db: Engine, key: rsa.RSAPrivateKey) -> None:
    with TestClient(create_app(db=db)) as client:
        response = client.get("/me", headers=bearer(token_for(key, role="admin")))
    assert response.status_code == 401
    assert response.json()["detail"] == "this service accepts no JWTs (no issuer is configured)"


def test_failed_sign_ins_past_the_limit_answer_429_but_valid_tokens_pass(db: Engine) -> None:
    store = TokenStore(db)
    good = store.issue(store.add_user("f", Role.consultant).id).token
    app = create_app(db=db, config=ApiConfig(auth=AuthConfig(failures_per_minute=3)))
    with TestClient(app) as client:
        statuses = [client.get("/me", headers=bearer("smt_wrong")).status_code for _ in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        limited = client.get("/me", headers=bearer("smt_wrong"))
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/me", headers=bearer(good)).status_code == 200


def test_each_token_has_its_own_request_budget(db: Engine) -> None:
    store = TokenStore(db)
    busy = store.issue(store.add_user("busy", Role.consultant).id).token
    quiet = store.issue(store.add_user("quiet", Role.consultant).id).token
    app = create_app(db=db, config=ApiConfig(auth=AuthConfig(requests_per_second=0.01, burst=3)))
    with TestClient(app) as client:
        statuses = [client.get("/me", headers=bearer(busy)).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        limited = client.get("/me", headers=bearer(busy))
        assert limited.headers["content-type"] == "application/problem+json"
        assert limited.json()["detail"].startswith("too many requests with this token")
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/me", headers=bearer(quiet)).status_code == 200  # another token is not slowed
        assert client.get("/me", headers=bearer("smt_wrong")).status_code == 401  # invalid tokens spend nothing


def test_a_token_budget_refills_at_its_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("api.auth.guard.time.monotonic", lambda: clock[0])
    buckets = TokenBuckets(rate=2.0, burst=2)
    buckets.take("t")
    buckets.take("t")
    with pytest.raises(RateLimited) as refused:
        buckets.take("t")
    assert refused.value.retry_after == 1
    clock[0] += 0.5  # one request's worth at 2 per second
    buckets.take("t")
    with pytest.raises(RateLimited):
        buckets.take("t")
    clock[0] += 10  # never more than the burst
    buckets.take("t")
    buckets.take("t")
    with pytest.raises(RateLimited):
        buckets.take("t")
    unlimited = TokenBuckets(rate=0, burst=1)  # 0: no limit
    for _ in range(10):
        unlimited.take("t")


def test_cli_users_and_tokens(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from skillmatch.settings import get_settings

    monkeypatch.setenv("SKILLMATCH_DATABASE_URL", str(db.url))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        added = runner.invoke(cli, ["users", "add", "g.dupont", "--role", "consultant"])
        assert added.exit_code == 0, added.output
        created = runner.invoke(cli, ["tokens", "create", "g.dupont", "--days", "2"])
        assert created.exit_code == 0, created.output
        token = created.stdout.splitlines()[0]
        assert TokenStore(db).verify(token).role is Role.consultant
        listed = json.loads(runner.invoke(cli, ["tokens", "list", "g.dupont"]).stdout)
        assert token not in json.dumps(listed, default=str)
        assert runner.invoke(cli, ["tokens", "revoke", str(listed[0]["id"])]).exit_code == 0
        with pytest.raises(TokenRejected):
            TokenStore(db).verify(token)
        ghost = runner.invoke(cli, ["users", "add", "h.ghost", "--role", "jobseeker", "--jobseeker-id", "J99999"])
        assert ghost.exit_code != 0 and "there is no dossier 'J99999'" in ghost.output
        stored(db, "J00001")  # the demo dossiers are loaded first (make run)
        demo = runner.invoke(cli, ["demo", "tokens"])
        roles = [line.split()[0] for line in demo.stdout.splitlines()]
        assert roles == ["consultant", "jobseeker", "admin"]
        assert TokenStore(db).verify(demo.stdout.splitlines()[1].split()[1]).jobseeker_id == "J00001"
        # Every change the command made is in the audit log, with the operator's account as the actor.
        done = [(e.action, e.actor.startswith("cli:")) for e in reversed(AuditLog(db).search())]
        assert done[:4] == [("user_create", True), ("token_issue", True), ("token_revoke", True), ("user_create", True)]
    finally:
        get_settings.cache_clear()


def test_cli_audit_purge_keeps_the_retention_period(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from skillmatch.settings import get_settings

    audit = AuditLog(db)
    someone = Principal(subject="user:1", name="a.peeters", role=Role.consultant)
    audit.record(someone, AuditAction.candidate_search, "V00001", ["J00001"])
    with db.begin() as conn:  # one row from seven months ago
        conn.execute(AuditRow.__table__.insert().values(  # type: ignore[attr-defined]
            at=datetime.now(UTC) - timedelta(days=213), actor="user:1", role="consultant",
            action="dossier_view", target="J00002", params={}, result_ids=["J00002"],
        ))  # fmt: skip
    monkeypatch.setenv("SKILLMATCH_DATABASE_URL", str(db.url))
    get_settings.cache_clear()
    try:
        purged = CliRunner().invoke(cli, ["audit", "purge"])
    finally:
        get_settings.cache_clear()
    assert purged.exit_code == 0, purged.output
    assert "Deleted 1 audit log rows older than 183 days" in purged.stdout
    assert [e.target for e in audit.search()] == ["V00001"]
