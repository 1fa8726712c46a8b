"""Signing in and out, and who am I."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy import select

from painpath.services import accounts
from painpath.store.models import User
from painpath.web.api._routing import ApiRouter
from painpath.web.api.schemas import LoginIn, LoginOut, UserOut
from painpath.web.security import (
    PUBLIC,
    SESSION_COOKIE,
    SIGNED_IN,
    CallerDep,
    client_address,
    context,
)

__all__ = ["router"]

router = ApiRouter(prefix="/auth", tags=["auth"])

_LOCAL = {"localhost", "127.0.0.1", "::1", "[::1]"}


def secure_cookie(request: Request) -> bool:
    """Secure except on plain-HTTP localhost, unless PAINPATH_SECURE_COOKIES says otherwise."""
    forced = context(request).settings.secure_cookies
    if forced is not None:
        return forced
    return not (request.url.scheme == "http" and request.url.hostname in _LOCAL)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
        path="/",
    )


@router.endpoint("POST", "/login", access=PUBLIC, response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response) -> LoginOut:
    """Sign in with a username and password; sets the session cookie (a new one at every
    sign-in) and returns the CSRF token. Failures are throttled and audited."""
    ctx = context(request)
    signed = accounts.login(
        ctx.uow(None, client_address(request)),
        body.username,
        body.password,
        settings=ctx.settings,
        now=ctx.clock(),
        replaces=request.cookies.get(SESSION_COOKIE),
    )
    set_session_cookie(request, response, signed.session_token)
    with ctx.uow(signed.principal, None) as uow:
        user = uow.db.get(User, signed.principal.user_id)
        out = UserOut.model_validate(user)
    return LoginOut(user=out, csrf_token=signed.csrf_token)


@router.endpoint("POST", "/logout", access=SIGNED_IN, status_code=204)
def logout(caller: CallerDep, request: Request, response: Response) -> None:
    """End the session; its cookie answers 401 from now on."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and caller.via == "session":
        accounts.logout(caller.uow(), token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.endpoint("GET", "/me", access=SIGNED_IN, response_model=UserOut)
def me(caller: CallerDep) -> UserOut:
    """The signed-in account."""
    with caller.uow() as uow:
        user = uow.db.scalars(select(User).where(User.id == caller.principal.user_id)).one()
        return UserOut.model_validate(user)
