"""The audit event of a form a page refused before any use case ran.

A use case audits itself (services/_use_case.py); a page that refuses typed input on its own —
a number out of range, a missing reason — writes this one event instead, named by its route and
by the patient of the path's record when the caller may see it, exactly as the API does for a
body its schema refuses (web/problems.py).
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from painpath.web.problems import audit_refusal as _audit
from painpath.web.security import Caller

__all__ = ["audit_refusal", "audit_refusal_async"]


def audit_refusal(caller: Caller, request: Request, *, outcome: str = "invalid") -> None:
    """Write one ``outcome`` event for this request (``METHOD /route/{template}``)."""
    route = request.scope.get("route")
    action = f"{request.method} {getattr(route, 'path', request.url.path)}"
    _audit(caller, action, request.path_params, outcome)


async def audit_refusal_async(
    caller: Caller, request: Request, *, outcome: str = "invalid"
) -> None:
    """`audit_refusal` from an async page (the database write runs off the event loop)."""
    await run_in_threadpool(lambda: audit_refusal(caller, request, outcome=outcome))
