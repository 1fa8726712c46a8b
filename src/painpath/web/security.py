"""Who may call a route: every route declares an access policy, enforced before its handler.

Browsers authenticate with a server-side session cookie and must send the session's CSRF token
on every state-changing request; integrations send a bearer token (no ambient credential, so
no CSRF). A role the policy does not allow gets 403 (and an audit event); records outside the
caller's scope are filtered by the repository and answer 404.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from painpath.services import accounts
from painpath.services.errors import Forbidden, Unauthorized
from painpath.services.principal import CLINICAL_ROLES, STAFF_ROLES, Principal
from painpath.store.unit_of_work import SqlUnitOfWork
from painpath.web.context import AppContext

__all__ = [
    "ADMIN",
    "CLINICIAN",
    "PATIENT_OR_CLINICIAN",
    "POLICIES",
    "PUBLIC",
    "SESSION_COOKIE",
    "SIGNED_IN",
    "STAFF",
    "Caller",
    "Enforce",
    "Policy",
    "client_address",
    "context",
]

SESSION_COOKIE = "painpath_session"
CSRF_HEADER = "x-csrf-token"
_SAFE = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Policy:
    """Which roles may call a route (None: anyone, signed in or not)."""

    name: str
    roles: frozenset[str] | None
    description: str


PUBLIC = Policy("public", None, "anyone, signed in or not")
SIGNED_IN = Policy("signed_in", frozenset((*STAFF_ROLES, "patient")), "any signed-in user")
STAFF = Policy("staff", frozenset(STAFF_ROLES), "the clinic's staff (clinicians and admin)")
CLINICIAN = Policy("clinician", frozenset(CLINICAL_ROLES), "clinicians of the clinic")
PATIENT_OR_CLINICIAN = Policy(
    "patient_or_clinician",
    frozenset((*CLINICAL_ROLES, "patient")),
    "the patient themselves or a clinician of their clinic",
)
ADMIN = Policy("admin", frozenset({"clinic_admin"}), "the clinic admin")
POLICIES = {p.name: p for p in (PUBLIC, SIGNED_IN, STAFF, CLINICIAN, PATIENT_OR_CLINICIAN, ADMIN)}


def context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


@dataclass(frozen=True)
class Caller:
    """The signed-in principal of a request, and units of work scoped to them."""

    principal: Principal
    ctx: AppContext
    client: str | None
    via: str  # "session" or "token"

    def uow(self) -> SqlUnitOfWork:
        return self.ctx.uow(self.principal, self.client)


def expected_origin(request: Request) -> str:
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}"


def check_origin(request: Request) -> None:
    """A browser names the page that sent the request; it must be this site (CSRF defence in
    depth, also for the login form, which has no session yet)."""
    origin = request.headers.get("origin")
    if origin is not None and origin != expected_origin(request):
        raise Forbidden("the request came from another site (Origin)")


class Enforce:
    """The dependency every route carries: authenticate, check the role, check CSRF."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def __call__(self, request: Request) -> Caller | None:
        return self.enforce(request, request.headers.get(CSRF_HEADER, ""))

    def enforce(self, request: Request, sent_csrf: str) -> Caller | None:
        """Authenticate, check CSRF (``sent_csrf``: the token the request carried) and role."""
        ctx = context(request)
        client = client_address(request)
        if self.policy.roles is None:
            if request.method not in _SAFE:
                check_origin(request)
            return None
        principal, via, csrf = self._authenticate(request, ctx, client)
        if via == "session" and request.method not in _SAFE:
            check_origin(request)
            if not hmac.compare_digest(sent_csrf.encode(), csrf.encode()):
                raise Forbidden("missing or wrong CSRF token (send the X-CSRF-Token header)")
        caller = Caller(principal=principal, ctx=ctx, client=client, via=via)
        if principal.role not in self.policy.roles:
            route = request.scope.get("route")
            path = getattr(route, "path", request.url.path)
            with caller.uow() as uow:
                uow.audit(f"{request.method} {path}", outcome="denied")
                uow.commit()
            raise Forbidden(f"this needs {self.policy.description}")
        request.state.caller = caller
        return caller

    def _authenticate(
        self, request: Request, ctx: AppContext, client: str | None
    ) -> tuple[Principal, str, str]:
        header = request.headers.get("authorization", "")
        now = ctx.clock()
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("use Authorization: Bearer <token>")
            principal = accounts.authenticate_token(ctx.uow(None, client), token.strip(), now=now)
            if principal is None:
                raise Unauthorized("the token is unknown, revoked or expired")
            return principal, "token", ""
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            found = accounts.authenticate_session(
                ctx.uow(None, client), cookie, settings=ctx.settings, now=now
            )
            if found is not None:
                request.state.csrf_token = found[1]
                return found[0], "session", found[1]
            raise Unauthorized("the session has ended; sign in again")
        raise Unauthorized("sign in first")


def current_caller(request: Request) -> Caller:
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is None:  # a route without a signed-in policy asked for a caller: a bug, fail closed
        raise Unauthorized("sign in first")
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]
