"""Routes are added only through `ApiRouter.endpoint`, which makes each declare who may call it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends

from painpath.web.api.schemas import Problem
from painpath.web.security import Enforce, Policy

__all__ = ["ApiRouter"]

F = TypeVar("F", bound=Callable[..., Any])

_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
_COMMON: dict[int | str, dict[str, Any]] = {
    401: {**_PROBLEM, "description": "Not signed in, or the session has ended"},
    403: {**_PROBLEM, "description": "The caller's role may not do this, or CSRF failed"},
    404: {**_PROBLEM, "description": "Missing, or outside the caller's scope (the same answer)"},
    422: {**_PROBLEM, "description": "Invalid input; `errors` names each field"},
}


class ApiRouter(APIRouter):
    def endpoint(
        self,
        method: str,
        path: str,
        *,
        access: Policy,
        status_code: int = 200,
        conflicts: bool = False,
        openapi_extra: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Callable[[F], F]:
        """Add a route carrying ``access`` (enforced before the handler, and published in the
        OpenAPI schema as ``x-access``)."""
        responses: dict[int | str, dict[str, Any]] = dict(_COMMON)
        if conflicts:
            responses[409] = {**_PROBLEM, "description": "Someone changed it first; reload"}

        def add(fn: F) -> F:
            self.add_api_route(
                path,
                fn,
                methods=[method],
                status_code=status_code,
                dependencies=[Depends(Enforce(access))],
                openapi_extra={**(openapi_extra or {}), "x-access": access.name},
                responses=responses,
                **kwargs,
            )
            return fn

        return add
