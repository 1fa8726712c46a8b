"""Every error as an RFC 9457 problem document naming the field, never a stack trace."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from painpath.domain.input_errors import describe, json_path
from painpath.services.errors import InvalidInput, ServiceError, TooManyAttempts
from painpath.store.models import Episode, Patient

__all__ = ["audit_refusal", "install_problem_handlers", "problem"]

MEDIA_TYPE = "application/problem+json"
_ID = re.compile(r"^[0-9a-f]{32}$")
log = logging.getLogger("painpath.web")

_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many attempts",
    500: "Internal error",
}


def problem(
    status: int,
    detail: str,
    *,
    errors: Sequence[tuple[str, str]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem document: ``type``, ``title``, ``status``, ``detail`` and, for bad input,
    ``errors`` — one ``{"field", "message"}`` per problem, the field as a JSON path."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": f, "message": m} for f, m in errors]
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(loc: Sequence[int | str]) -> str:
    # FastAPI prefixes where the value came from: ("body", "pain"), ("query", "limit").
    where, *rest = loc or ("body",)
    path = json_path(tuple(rest), "")
    if where == "body":
        return path or "(body)"
    return f"{where}.{path}" if path else str(where)


def _message(error: Any) -> str:
    loc = tuple(error.get("loc") or ())
    if error.get("type") == "string_pattern_mismatch" and str(loc[-1] if loc else "").endswith(
        "_id"
    ):
        return f"{str(error.get('input'))[:40]!r} is not a record id (32 characters 0-9 a-f)"
    return describe(error)


def validation_errors(exc: RequestValidationError) -> list[tuple[str, str]]:
    return [(_field(tuple(e.get("loc") or ())), _message(e)) for e in exc.errors()]


def audit_refusal(
    caller: Any, action: str, params: Mapping[str, Any], outcome: str = "invalid"
) -> None:
    """One audit event for a request refused before its use case ran, named by its route and,
    when the path names a record the caller may see, by its patient (the browser app's pages
    use it too, for a form they refuse themselves)."""
    with caller.uow() as uow:
        patient_id = None
        if _ID.match(str(params.get("patient_id", ""))):
            found = uow.records.find(Patient, Patient.id == params["patient_id"])
            patient_id = found.id if found else None
        elif _ID.match(str(params.get("episode_id", ""))):
            episode = uow.records.find(Episode, Episode.id == params["episode_id"])
            patient_id = episode.patient_id if episode else None
        uow.audit(action, outcome=outcome, patient_id=patient_id)
        uow.commit()


class PageErrors(Protocol):
    """How the browser app shows an error on a page (web/ui/errors.py)."""

    def applies(self, request: Request) -> bool: ...

    def render(
        self,
        request: Request,
        status: int,
        detail: str,
        errors: Sequence[tuple[str, str]],
        headers: dict[str, str] | None,
    ) -> Response: ...


def _page(request: Request) -> PageErrors | None:
    """The browser app's error page renderer, for a request to a page (None for the API)."""
    renderer: PageErrors | None = getattr(request.app.state, "page_errors", None)
    if renderer is None or not renderer.applies(request):
        return None
    return renderer


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError) -> Response:
        errors = exc.errors if isinstance(exc, InvalidInput) else ()
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
        )
        if page := _page(request):
            return page.render(request, exc.status, exc.detail, errors, headers)
        detail = "the input has problems; see errors" if errors else exc.detail
        return problem(exc.status, detail, errors=errors, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # Refused before any use case ran: audit the attempt here, once, for a signed-in caller.
        caller = getattr(request.state, "caller", None)
        if caller is not None:
            route = request.scope.get("route")
            action = f"{request.method} {getattr(route, 'path', request.url.path)}"
            await run_in_threadpool(audit_refusal, caller, action, request.path_params)
        if page := _page(request):
            # A page's path id that is not a record id is simply not found.
            return page.render(request, 404, "no such page", (), None)
        return problem(422, "the input has problems; see errors", errors=validation_errors(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such resource"
        if page := _page(request):
            return page.render(request, exc.status_code, detail, (), getattr(exc, "headers", None))
        return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        # The exception's type and the route only: messages can carry patient values.
        log.error(
            "internal error %s on %s %s", type(exc).__name__, request.method, request.url.path
        )
        if page := _page(request):
            return page.render(request, 500, "internal error; it has been logged", (), None)
        return problem(500, "internal error; it has been logged")
