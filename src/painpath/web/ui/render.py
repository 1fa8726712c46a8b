"""Rendering pages: one Jinja2 environment (autoescaped), the layout's context, and the
Content-Security-Policy every page carries (no inline script, nothing from another site)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from painpath.web.security import Caller

__all__ = ["CSP", "ROLE_LABELS", "STATIC", "env", "render", "static_url"]

STATIC = Path(__file__).parent / "static"

# Scripts and styles only from this site, no inline script, no framing (style.md: calm and
# safe). Chart.js sizes its canvas through the CSSOM, which a style-src policy does not block.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

ROLE_LABELS = {
    "physician": "Physician",
    "physiatrist": "Physiatrist",
    "physical_therapist": "Physical therapist",
    "psychologist": "Psychologist",
    "pharmacist": "Pharmacist",
    "occupational_therapist": "Occupational therapist",
    "clinic_admin": "Clinic lead",
    "patient": "Patient",
}

PHASE_LABELS = {
    "settle": "Settle and establish a response",
    "extend_window": "Extend the relief window",
    "blend": "Blend in active work",
    "build_capacity": "Build capacity",
    "graduate": "Graduate",
}

DECISION_LABELS = {
    "continue": "Continue",
    "adjust": "Adjust",
    "refer": "Refer",
    "graduate": "Graduate",
}


@cache
def _fingerprint(name: str) -> str:
    path = STATIC / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"


def static_url(name: str) -> str:
    """The URL of a static file, with its content hash so a new release is never stale."""
    return f"/static/{name}?v={_fingerprint(name)}"


def _date(value: dt.date | str | None, fmt: str = "%-d %b %Y") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime(fmt)


def _number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _label(value: str | None) -> str:
    return "—" if not value else value.replace("_", " ").capitalize()


def _json_data(value: Any) -> Markup:
    # For <script type="application/json">: with every "<" escaped nothing in the data can
    # close the element or open a comment; JSON.parse reads \u003c back as "<".
    text = json.dumps(value, default=str).replace("<", "\\u003c")
    return Markup(text)


@cache
def env() -> Environment:
    environment = Environment(
        loader=PackageLoader("painpath.web.ui", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        date=_date,
        number=_number,
        percent=_percent,
        label=_label,
        json_data=_json_data,
        phase=lambda p: PHASE_LABELS.get(p or "", _label(p)),
        role=lambda r: ROLE_LABELS.get(r or "", _label(r)),
        decision=lambda d: DECISION_LABELS.get(d or "", _label(d)),
    )
    environment.globals.update(static=static_url, ROLE_LABELS=ROLE_LABELS, PHASES=PHASE_LABELS)
    return environment


def _nav(caller: Caller | None, path: str) -> list[tuple[str, str, bool]]:
    """The role's menu as (href, label, current): the current entry is the longest one the
    path is under, so /patients/new marks "New patient" and not "Patients" too."""
    if caller is None:
        return []
    p = caller.principal
    if p.is_patient:
        items = [("/me/log", "Daily log"), ("/me/progress", "My progress")]
    elif p.is_clinician:
        items = [
            ("/patients", "Patients"),
            ("/patients/new", "New patient"),
            ("/panel", "Clinic panel"),
        ]
    else:
        items = [("/panel", "Clinic panel"), ("/patients", "Patients"), ("/accounts", "Accounts")]
    under = [href for href, _ in items if path == href or path.startswith(href + "/")]
    current = max(under, key=len, default=None)
    return [(href, label, href == current) for href, label in items]


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` inside the layout for the signed-in caller (if any)."""
    caller: Caller | None = getattr(request.state, "caller", None)
    ctx = request.app.state.ctx
    page = (
        env()
        .get_template(template)
        .render(
            request=request,
            caller=caller,
            principal=caller.principal if caller else None,
            csrf_token=getattr(request.state, "csrf_token", ""),
            nav=_nav(caller, request.url.path),
            path=request.url.path,
            today=ctx.today(),
            **context,
        )
    )
    return HTMLResponse(page, status_code=status, headers={"content-security-policy": CSP})
