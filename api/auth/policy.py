"""Who may call each route, and what the audit log records of it: one table, read at every request.

``POLICY`` names every route of the service (``METHOD /path`` as the app declares it); ``AREAS`` gives a rule
to a page of an area (``/ui/admin/...``) that the table does not name. The app refuses to start when a route has
no rule (``check_routes``), ``api.auth.rules.authorize`` enforces the rule of the route a request reached, the
OpenAPI document states it on every operation, the README's table of routes is generated from it
(``python -m api.auth``, checked by ``tests/test_authorisation.py``), and the authorisation matrix test
calls every route as every role against it.

A rule says:
- ``roles``: the roles that may call the route for any record.
- ``owner``: the path parameter naming a dossier; a jobseeker may call the route for their own dossier.
- ``own_body``: a jobseeker may call the route for the dossier the body names (the route checks the id).
- ``desk``: a consultant may act on the jobseeker's rights for them, at their request, by saying how they
  asked (``?on_behalf=desk|phone|letter``); the audit row names the consultant and the jobseeker is shown it.
- ``audit``: the action the audit log records when the route succeeds (every read of personal data and every
  change of rights, users and tokens has one), ``why`` its purpose (a key, said in words by the pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from api.audit_actions import AuditAction
from api.auth.roles import Role

C, J, A = Role.consultant, Role.jobseeker, Role.admin
OWN = "jobseeker_id"


class OnBehalf(StrEnum):
    """How a jobseeker asked a consultant to act on their rights for them."""

    desk = "desk"
    phone = "phone"
    letter = "letter"


ON_BEHALF = "on_behalf"
"""The query parameter in which a consultant acting for a jobseeker says how the jobseeker asked."""


@dataclass(frozen=True)
class Rule:
    """Who may call a route, and what the audit log records of it (see the module's docstring)."""

    roles: frozenset[Role] = frozenset()
    owner: str | None = None
    own_body: bool = False
    desk: bool = False
    public: bool = False
    audit: AuditAction | None = None
    why: str = ""

    def admits(self, role: Role) -> bool:
        """Whether a role may call the route at all (for some dossier, when it is a jobseeker; at a jobseeker's
        request, when it is a consultant on a desk route)."""
        return (
            self.public
            or role in self.roles
            or (role is Role.jobseeker and (self.owner is not None or self.own_body))
            or (role is Role.consultant and self.desk)
        )

    def who(self) -> str:
        """The rule in words (the README's and the OpenAPI document's "who")."""
        if self.public:
            return "anyone"
        parts = [r.value for r in Role if r in self.roles]
        if self.owner is not None or self.own_body:
            parts.append("own jobseeker")
        if self.desk:
            parts.append("consultant for the jobseeker (`on_behalf`)")
        if set(self.roles) == set(Role):
            parts = ["signed in"]
        return ", ".join(parts)


PUBLIC = Rule(public=True)
SIGNED_IN = Rule(frozenset(Role))


def _rule(*roles: Role, **kw: Any) -> Rule:
    return Rule(frozenset(roles), **kw)


def _rights(action: AuditAction, why: str) -> Rule:
    return Rule(owner=OWN, desk=True, audit=action, why=why)


PLACEMENT = "placement"
ADMINISTRATION = "administration"
OWN_REQUEST = "own_request"
OVERSIGHT = "oversight"
WHY = (PLACEMENT, ADMINISTRATION, OVERSIGHT, OWN_REQUEST)
"""``why`` is a key (the pages say it in the reader's language): these, the rights' own and ``on_behalf_<how>``."""

POLICY: dict[str, Rule] = {
    # -- public: health, metrics, the API's description, signing in --
    "GET /health": PUBLIC,
    "GET /health/ready": PUBLIC,
    "GET /metrics": PUBLIC,
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": PUBLIC,
    # -- anyone signed in --
    "GET /me": SIGNED_IN,
    "GET /esco/skills": SIGNED_IN,
    "GET /esco/occupations": SIGNED_IN,
    "GET /esco/concepts": SIGNED_IN,
    "POST /link": SIGNED_IN,
    # -- dossiers --
    "POST /jobseekers": _rule(C, own_body=True, audit=AuditAction.dossier_change, why=PLACEMENT),
    "GET /jobseekers/{jobseeker_id}": _rule(C, owner=OWN, audit=AuditAction.dossier_view, why=PLACEMENT),
    "POST /jobseekers/{jobseeker_id}/deactivate": _rule(C, owner=OWN, audit=AuditAction.dossier_change, why=PLACEMENT),
    "DELETE /jobseekers/{jobseeker_id}": _rule(A, owner=OWN, audit=AuditAction.erasure, why="right_to_erasure"),
    "GET /jobseekers/{jobseeker_id}/vacancies": _rule(C, owner=OWN, audit=AuditAction.suggestion_list, why=PLACEMENT),
    "GET /jobseekers/{jobseeker_id}/anonymised": _rule(C, audit=AuditAction.anonymised_profile, why=PLACEMENT),
    # -- corrections of what the engine understood (a consultant's teach the linker; a jobseeker's do not) --
    "PUT /jobseekers/{jobseeker_id}/occupation": _rule(
        C, owner=OWN, audit=AuditAction.record_correction, why=PLACEMENT
    ),
    "POST /jobseekers/{jobseeker_id}/skills": _rule(C, owner=OWN, audit=AuditAction.record_correction, why=PLACEMENT),
    "DELETE /jobseekers/{jobseeker_id}/skills": _rule(C, owner=OWN, audit=AuditAction.record_correction, why=PLACEMENT),
    "PUT /jobseekers/{jobseeker_id}/languages/{lang}": _rule(
        C, owner=OWN, audit=AuditAction.record_correction, why=PLACEMENT
    ),
    "PUT /vacancies/{vacancy_id}/occupation": _rule(C, audit=AuditAction.record_correction, why=PLACEMENT),
    "POST /vacancies/{vacancy_id}/skills": _rule(C, audit=AuditAction.record_correction, why=PLACEMENT),
    "DELETE /vacancies/{vacancy_id}/skills": _rule(C, audit=AuditAction.record_correction, why=PLACEMENT),
    "PUT /vacancies/{vacancy_id}/languages/{lang}": _rule(C, audit=AuditAction.record_correction, why=PLACEMENT),
    "GET /admin/learned-links": _rule(A),
    "GET /admin/learned-links/{link_id}": _rule(A),
    "POST /admin/learned-links/{link_id}/undo": _rule(A, audit=AuditAction.learned_link_undo, why=ADMINISTRATION),
    # -- a jobseeker's rights: theirs, or a consultant's at their request --
    "GET /jobseekers/{jobseeker_id}/notice": _rights(AuditAction.rights_notice, "right_to_information"),
    "GET /jobseekers/{jobseeker_id}/export": _rights(AuditAction.rights_export, "right_of_access"),
    "PUT /jobseekers/{jobseeker_id}/opt-out": _rights(AuditAction.rights_opt_out, "right_to_object"),
    "POST /jobseekers/{jobseeker_id}/contests": _rights(AuditAction.rights_contest, "right_to_contest"),
    "GET /jobseekers/{jobseeker_id}/skill-gap": _rights(AuditAction.rights_guidance, "guidance"),
    "GET /jobseekers/{jobseeker_id}/vacancies/{vacancy_id}/missing-skills": _rights(
        AuditAction.rights_guidance, "guidance"
    ),
    "GET /jobseekers/{jobseeker_id}/basiskit": _rights(AuditAction.rights_guidance, "guidance"),
    "GET /jobseekers/{jobseeker_id}/recruiting-occupations": _rights(AuditAction.rights_guidance, "guidance"),
    # -- vacancies, candidates, shortlists --
    "POST /vacancies": _rule(C),
    "GET /vacancies/{vacancy_id}": _rule(C),
    "POST /vacancies/{vacancy_id}/close": _rule(C),
    "DELETE /vacancies/{vacancy_id}": _rule(A),
    "GET /vacancies/{vacancy_id}/candidates": _rule(C, audit=AuditAction.candidate_search, why=PLACEMENT),
    "GET /vacancies/{vacancy_id}/recruiting": _rule(C),
    "GET /vacancies/{vacancy_id}/shortlist": _rule(C, audit=AuditAction.shortlist_view, why=PLACEMENT),
    "PUT /vacancies/{vacancy_id}/shortlist/{jobseeker_id}": _rule(C, audit=AuditAction.shortlist_change, why=PLACEMENT),
    "DELETE /vacancies/{vacancy_id}/shortlist/{jobseeker_id}": _rule(
        C, audit=AuditAction.shortlist_change, why=PLACEMENT
    ),
    "GET /vacancies/{vacancy_id}/shortlist.csv": _rule(C, audit=AuditAction.export, why=PLACEMENT),
    # -- human oversight and contests --
    "GET /oversight/vacancies/{vacancy_id}/candidates": _rule(C, audit=AuditAction.candidate_search, why=OVERSIGHT),
    "GET /oversight/vacancies/{vacancy_id}/candidates/{jobseeker_id}": _rule(
        C, audit=AuditAction.candidate_lookup, why=OVERSIGHT
    ),
    "POST /oversight/vacancies/{vacancy_id}/decisions": _rule(C, audit=AuditAction.decision, why=OVERSIGHT),
    "GET /oversight/vacancies/{vacancy_id}/decisions": _rule(C, audit=AuditAction.decision_view, why=OVERSIGHT),
    "GET /oversight/contests": _rule(C, audit=AuditAction.contest_view, why="right_to_contest"),
    "POST /oversight/contests/{contest_id}/answer": _rule(C, audit=AuditAction.contest_answer, why="right_to_contest"),
    # -- the nightly rematch --
    "GET /rematch/runs/latest": _rule(C, A),
    "GET /rematch/jobseekers/{jobseeker_id}/new": _rule(C, owner=OWN, audit=AuditAction.suggestion_list, why=PLACEMENT),
    "GET /rematch/vacancies/{vacancy_id}/new": _rule(C, audit=AuditAction.candidate_search, why=PLACEMENT),
    # -- administration --
    "GET /quarantine": _rule(A, audit=AuditAction.quarantine_view, why=ADMINISTRATION),
    "GET /audit": _rule(A, audit=AuditAction.audit_view, why=ADMINISTRATION),
    "GET /users": _rule(A, audit=AuditAction.user_view, why=ADMINISTRATION),
    "POST /users": _rule(A, audit=AuditAction.user_create, why=ADMINISTRATION),
    "GET /users/{user_id}": _rule(A, audit=AuditAction.user_view, why=ADMINISTRATION),
    "PUT /users/{user_id}/active": _rule(A, audit=AuditAction.user_change, why=ADMINISTRATION),
    "GET /users/{user_id}/tokens": _rule(A, audit=AuditAction.token_view, why=ADMINISTRATION),
    "POST /users/{user_id}/tokens": _rule(A, audit=AuditAction.token_issue, why=ADMINISTRATION),
    "DELETE /tokens/{token_id}": _rule(A, audit=AuditAction.token_revoke, why=ADMINISTRATION),
    "POST /admin/audit/attributes": _rule(A, audit=AuditAction.attributes_import, why="exposure_audit"),
    "POST /admin/audit/runs": _rule(A),
    "GET /admin/audit/runs": _rule(A),
    "GET /admin/audit/runs/latest": _rule(A),
    "GET /admin/audit/runs/{run_id}": _rule(A),
    "POST /admin/audit/counterfactual": _rule(A),
    "POST /admin/recruiting/link": _rule(A),
    "GET /admin/recruiting": _rule(A),
    "POST /admin/recruiting/{row_id}/review": _rule(A),
    # -- the pages --
    "GET /": SIGNED_IN,
    "GET /ui/vacancies": _rule(C),
    "POST /ui/vacancies": _rule(C),
    "GET /ui/vacancies/{vacancy_id}": _rule(C, audit=AuditAction.candidate_search, why=PLACEMENT),
    "POST /ui/vacancies/{vacancy_id}/decisions": _rule(C, audit=AuditAction.decision, why=OVERSIGHT),
    "POST /ui/vacancies/{vacancy_id}/corrections": _rule(C, audit=AuditAction.record_correction, why=PLACEMENT),
    "GET /ui/jobseekers/{jobseeker_id}": _rule(C, audit=AuditAction.dossier_view, why=PLACEMENT),
    "POST /ui/jobseekers/{jobseeker_id}/corrections": _rule(C, audit=AuditAction.record_correction, why=PLACEMENT),
    "GET /ui/typeahead/occupations": _rule(C, J),
    "GET /ui/queue": _rule(C, audit=AuditAction.contest_view, why="right_to_contest"),
    "POST /ui/queue/contests/{contest_id}": _rule(C, audit=AuditAction.contest_answer, why="right_to_contest"),
    "GET /ui/vacancies/{vacancy_id}/shortlist": _rule(C, audit=AuditAction.shortlist_view, why=PLACEMENT),
    "POST /ui/vacancies/{vacancy_id}/shortlist": _rule(C, audit=AuditAction.shortlist_change, why=PLACEMENT),
    "POST /ui/vacancies/{vacancy_id}/shortlist/remove": _rule(C, audit=AuditAction.shortlist_change, why=PLACEMENT),
    "GET /ui/vacancies/{vacancy_id}/shortlist.csv": _rule(C, audit=AuditAction.export, why=PLACEMENT),
    "GET /ui/vacancies/{vacancy_id}/candidates/{jobseeker_id}": _rule(
        C, audit=AuditAction.anonymised_profile, why=PLACEMENT
    ),
    "GET /ui/me": _rule(J, audit=AuditAction.suggestion_list, why=OWN_REQUEST),
    "POST /ui/me/skills": _rule(J, audit=AuditAction.dossier_change, why=OWN_REQUEST),
    "POST /ui/me/skills/remove": _rule(J, audit=AuditAction.dossier_change, why=OWN_REQUEST),
    "POST /ui/me/corrections": _rule(J, audit=AuditAction.record_correction, why=OWN_REQUEST),
    "GET /ui/typeahead/skills": _rule(C, J),
    "GET /ui/me/progress": _rule(J, audit=AuditAction.rights_guidance, why=OWN_REQUEST),
    "POST /ui/me/contest": _rule(J, audit=AuditAction.rights_contest, why=OWN_REQUEST),
    "GET /ui/me/export": _rule(J, audit=AuditAction.rights_export, why=OWN_REQUEST),
    "POST /ui/me/opt-out": _rule(J, audit=AuditAction.rights_opt_out, why=OWN_REQUEST),
    "POST /ui/me/erase": _rule(J, audit=AuditAction.erasure, why=OWN_REQUEST),
    "POST /ui/me/vacancies/{vacancy_id}/interest": _rule(J, audit=AuditAction.dossier_change, why=OWN_REQUEST),
    "GET /ui/admin/users": _rule(A, audit=AuditAction.user_view, why=ADMINISTRATION),
    "POST /ui/admin/users": _rule(A, audit=AuditAction.user_create, why=ADMINISTRATION),
    "POST /ui/admin/users/{user_id}/active": _rule(A, audit=AuditAction.user_change, why=ADMINISTRATION),
    "POST /ui/admin/users/{user_id}/tokens": _rule(A, audit=AuditAction.token_issue, why=ADMINISTRATION),
    "POST /ui/admin/tokens/{token_id}/revoke": _rule(A, audit=AuditAction.token_revoke, why=ADMINISTRATION),
    "GET /ui/admin/audit": _rule(A, audit=AuditAction.audit_view, why=ADMINISTRATION),
    "GET /ui/admin/quarantine": _rule(A, audit=AuditAction.quarantine_view, why=ADMINISTRATION),
    "GET /ui/admin/learned-links": _rule(A),
    "POST /ui/admin/learned-links/{link_id}/undo": _rule(A, audit=AuditAction.learned_link_undo, why=ADMINISTRATION),
    "GET /ui/admin/exposure": _rule(A),
    "POST /ui/admin/exposure": _rule(A),
}
"""Every route's rule, by ``METHOD /path`` (HEAD follows GET)."""

AREAS: dict[str, Rule] = {
    "/static/": PUBLIC,
    "/swagger-ui/": PUBLIC,
    "/ui/admin/": _rule(A),
    "/ui/vacancies/": _rule(C),
    "/ui/me/": _rule(J),
    "/ui/queue/": _rule(C),
}
"""Rules of whole areas, for what ``POLICY`` does not name: the static files (CSS, JS) and new pages of an area
(a page that reads personal data still needs its own line, with its audit action: the tests find it)."""


def rule_for(method: str, path: str) -> Rule | None:
    """The rule of a route (``path`` as the app declares it, e.g. ``/jobseekers/{jobseeker_id}``), or None."""
    key = f"{'GET' if method == 'HEAD' else method} {path}"
    if key in POLICY:
        return POLICY[key]
    for prefix, rule in AREAS.items():
        if (path + "/").startswith(prefix):
            return rule
    return None


def _declared(routes: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path prefix, route) of every route as declared, without building what FastAPI builds for serving.

    FastAPI (from 0.13x) keeps an included router as one entry and builds its routes' dependencies, parameters
    and body models for the including app on first use: hundreds of milliseconds for this app, which a check of
    paths and methods need not pay (the app builds them when first served). An entry that is not such an
    included router is taken as it is, or through FastAPI's own iteration when it has no path of its own."""
    from fastapi.routing import iter_route_contexts

    for route in routes:
        inner = getattr(route, "original_router", None)
        included = getattr(getattr(route, "include_context", None), "prefix", None)
        if inner is not None and isinstance(included, str):
            yield from _declared(inner.routes, prefix + included)
        elif getattr(route, "path", None) is not None:
            yield prefix, route
        else:
            yield from ((prefix, built) for built in iter_route_contexts([route]))


def route_keys(app: Any) -> list[tuple[str, str, Any]]:
    """(method, path, route) of every route of an app (HEAD left out: it follows GET)."""
    out: list[tuple[str, str, Any]] = []
    for prefix, route in _declared(app.routes):
        methods = sorted(getattr(route, "methods", None) or ()) or ["GET"]
        out.extend((m, prefix + str(route.path), route) for m in methods if m != "HEAD")
    return out


def check_routes(app: Any) -> None:
    """Refuse an app with a route that has no rule.

    Raises:
        RuntimeError: naming the routes without one.
    """
    missing = [f"{m} {p}" for m, p, _ in route_keys(app) if rule_for(m, p) is None]
    if missing:
        raise RuntimeError(f"routes without an authorisation rule (add them to api/auth/policy.py): {missing}")


def readme_table(app: Any) -> str:
    """The README's table of routes: method and path, who may call it, whether it is audited, what it does."""
    lines = ["| method and path | who | audit log | what |", "|---|---|---|---|"]
    for method, path, route in route_keys(app):
        rule = rule_for(method, path)
        if rule is None or not getattr(route, "methods", None):  # folders of files (CSS, JS) have no row
            continue
        doc = (getattr(route, "description", None) or getattr(route, "summary", None) or "").strip()
        what = " ".join(doc.split("\n\n")[0].split()) if doc else ""
        audited = f"`{rule.audit.value}`" if rule.audit else ""
        lines.append(f"| `{method} {path}` | {rule.who()} | {audited} | {what.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


__all__ = [
    "AREAS",
    "ON_BEHALF",
    "OWN_REQUEST",
    "POLICY",
    "OnBehalf",
    "Rule",
    "check_routes",
    "readme_table",
    "route_keys",
    "rule_for",
]
