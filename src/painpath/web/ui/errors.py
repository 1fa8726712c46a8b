"""Errors on pages: the same refusals as the API, shown as a calm page instead of JSON.

Not signed in (or the session ended) on a page → the sign-in page, coming back afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from painpath.web.ui.render import render

__all__ = ["PageErrors", "is_page", "page_error"]

_TITLES = {
    400: "That request could not be read",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Someone changed this first",
    413: "Too large",
    422: "Some answers need another look",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}

_HINTS = {
    403: "Your account cannot open this page. If you think it should, ask the clinic lead.",
    404: "It may have been moved, or it is not part of your clinic's records.",
    409: "Reload the page to see the newest version, then make your change again.",
    500: "It has been logged. Your last change was not saved; please try again.",
}


def is_page(request: Request) -> bool:
    """Pages are everything outside the JSON API and the static files."""
    path = request.url.path
    return not path.startswith(("/api/", "/static/"))


def page_error(
    request: Request,
    status: int,
    detail: str,
    errors: Sequence[tuple[str, str]] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """The page for a refused or failed request (never a stack trace)."""
    if status == 401:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        if request.method in {"GET", "HEAD"}:
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return RedirectResponse("/login?ended=1", status_code=303)
    response = render(
        request,
        "error.html",
        status=status,
        title=_TITLES.get(status, "Error"),
        detail=detail,
        errors=list(errors),
        hint=_HINTS.get(status, ""),
        status_code=status,
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


class PageErrors:
    """What the problem handlers (web/problems.py) call for a request to a page."""

    def applies(self, request: Request) -> bool:
        return is_page(request)

    def render(
        self,
        request: Request,
        status: int,
        detail: str,
        errors: Sequence[tuple[str, str]],
        headers: dict[str, str] | None,
    ) -> Response:
        return page_error(request, status, detail, errors, headers)
