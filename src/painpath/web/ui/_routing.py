"""Pages are added only through `PageRouter.page`, which makes each declare who may see it.

The same policies as the JSON API (web/security.py) guard every page; a browser form carries
the session's CSRF token as the hidden field ``csrf_token`` (HTMX requests send the header).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from painpath.web.security import CSRF_HEADER, Caller, Enforce, Policy

__all__ = ["CSRF_FIELD", "EnforcePage", "PageRouter"]

F = TypeVar("F", bound=Callable[..., Any])
CSRF_FIELD = "csrf_token"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class EnforcePage(Enforce):
    """`Enforce` for pages: the CSRF token may also come as the form field ``csrf_token``."""

    async def __call__(self, request: Request) -> Caller | None:  # type: ignore[override]
        sent = request.headers.get(CSRF_HEADER, "")
        unsafe = request.method not in {"GET", "HEAD", "OPTIONS"}
        if not sent and unsafe and request.headers.get("content-type", "").startswith(_FORMS):
            # Starlette keeps the parsed form on the request: the page reads it again.
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
        return await run_in_threadpool(self.enforce, request, sent)


class PageRouter(APIRouter):
    def page(self, method: str, path: str, *, access: Policy, **kwargs: Any) -> Callable[[F], F]:
        """Add a page carrying ``access`` (enforced before the handler; kept out of the API's
        OpenAPI document, but recorded as ``x-access`` on the route like every API route)."""

        def add(fn: F) -> F:
            self.add_api_route(
                path,
                fn,
                methods=[method],
                dependencies=[Depends(EnforcePage(access))],
                include_in_schema=False,
                openapi_extra={"x-access": access.name},
                **kwargs,
            )
            return fn

        return add
