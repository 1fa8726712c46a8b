"""Signing in and out in the browser, and the start page of each role."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from painpath.services import accounts
from painpath.services.errors import TooManyAttempts, Unauthorized
from painpath.web.api.auth_routes import set_session_cookie
from painpath.web.security import (
    PUBLIC,
    SESSION_COOKIE,
    SIGNED_IN,
    CallerDep,
    client_address,
    context,
)
from painpath.web.ui._routing import PageRouter
from painpath.web.ui.forms import text_field
from painpath.web.ui.render import render

__all__ = ["home_of", "router"]

router = PageRouter()


def home_of(role: str) -> str:
    """Where each role starts: patients at today's log, clinicians at the patient list, the
    clinic lead at the panel."""
    if role == "patient":
        return "/me/log"
    if role == "clinic_admin":
        return "/panel"
    return "/patients"


def _safe_next(value: str | None) -> str | None:
    # Only a path on this site: never an open redirect to another host.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@router.page("GET", "/login", access=PUBLIC)
def login_page(request: Request, next: str | None = None, ended: int = 0) -> Response:
    """The sign-in form."""
    return render(
        request,
        "login.html",
        username="",
        error=("Your session ended. Please sign in again." if ended else None),
        next=_safe_next(next) or "",
    )


@router.page("POST", "/login", access=PUBLIC)
async def login_submit(request: Request) -> Response:
    """Check the password; on success a new session cookie and on to ``next`` or the start
    page. A failure shows the form again with the username kept (throttled and audited by
    `accounts.login`, exactly as the API's sign-in)."""
    form = await request.form()
    username = text_field(form, "username", limit=100)
    password = text_field(form, "password", limit=1000, strip=False)
    target = _safe_next(text_field(form, "next", limit=2000))
    ctx = context(request)
    status = 401
    try:
        signed = await run_in_threadpool(
            accounts.login,
            ctx.uow(None, client_address(request)),
            username,
            password,
            settings=ctx.settings,
            now=ctx.clock(),
            replaces=request.cookies.get(SESSION_COOKIE),
        )
    except Unauthorized:
        error = "That username and password do not match an active account."
    except TooManyAttempts as exc:
        status = 429
        minutes = max(1, round(exc.retry_after / 60))
        error = f"Too many failed attempts. Try again in about {minutes} minutes."
    else:
        response = RedirectResponse(target or home_of(signed.principal.role), status_code=303)
        set_session_cookie(request, response, signed.session_token)
        return response
    return render(
        request, "login.html", status=status, username=username, error=error, next=target or ""
    )


@router.page("POST", "/logout", access=SIGNED_IN)
def logout_submit(caller: CallerDep, request: Request) -> Response:
    """End the session and go back to the sign-in page."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and caller.via == "session":
        accounts.logout(caller.uow(), token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.page("GET", "/", access=SIGNED_IN)
def start(caller: CallerDep) -> Response:
    """Each role's start page."""
    return RedirectResponse(home_of(caller.principal.role), status_code=303)
