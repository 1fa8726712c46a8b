"""The composition root of the web app: settings → engine → services → FastAPI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from painpath._version import __version__
from painpath.knowledge import KnowledgeBase, default_knowledge
from painpath.settings import Settings, load_settings
from painpath.store._engine import make_engine, make_session_factory
from painpath.web.context import AppContext
from painpath.web.problems import install_problem_handlers, log, problem

__all__ = ["MAX_BODY_BYTES", "create_app"]

# Larger bodies are refused before they are read (an intake is a few kB; a CSV import ≤ 1 MB).
MAX_BODY_BYTES = 2_000_000


_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]

_STATIC_HEADERS = [
    (b"cache-control", b"public, max-age=86400") if name == b"cache-control" else (name, value)
    for name, value in _SECURITY_HEADERS
]


class _Guard:
    """The outermost layer of the app: refuse bodies over MAX_BODY_BYTES with 413 (declared or
    streamed), mark every answer private and not sniffable, and turn an unexpected error into
    a 500 problem document — logged by type and route only, so no patient value reaches a log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        # The vendored libraries and our CSS/JS carry no patient data and are named by their
        # content hash: a browser may keep them. Everything else is private and never stored.
        headers = _STATIC_HEADERS if scope["path"].startswith("/static/") else _SECURITY_HEADERS

        async def secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await _too_large(scope, receive, secured)
            return
        # The body is read here, up to the limit, and replayed to the app: a streamed body that
        # grows past the limit is refused as a whole instead of failing half-way in a parser.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY_BYTES:
                await _too_large(scope, receive, secured)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        try:
            await self.app(scope, replay, secured)
        except Exception as exc:
            log.error(
                "internal error %s on %s %s", type(exc).__name__, scope["method"], scope["path"]
            )
            if not started:
                page = not scope["path"].startswith("/api/")
                answer = _PAGE_500 if page else problem(500, "internal error; it has been logged")
                await answer(scope, replay, secured)


# A page that failed unexpectedly: plain HTML with no template (the templates may be what broke).
_PAGE_500 = HTMLResponse(
    "<!doctype html><html lang=en><meta charset=utf-8><title>Something went wrong · Painpath"
    "</title><h1>Something went wrong on our side</h1><p>It has been logged. Your last change "
    "was not saved; please try again.</p><p><a href=/>Back to the start page</a></p></html>",
    status_code=500,
)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = problem(413, f"the body is larger than {MAX_BODY_BYTES:,} bytes")
    await response(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    knowledge: KnowledgeBase | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> FastAPI:
    """The Painpath web app. The database must be at the newest migration (`painpath db
    upgrade`; `painpath serve` runs it for you outside production)."""
    from painpath.web.api import api_router
    from painpath.web.ui import install_ui

    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    extra: dict[str, Any] = {"clock": clock} if clock else {}
    ctx = AppContext(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        knowledge=knowledge or default_knowledge(),
        **extra,
    )
    app = FastAPI(
        title="Painpath API",
        version=__version__,
        description=(
            "Root-cause chronic pain care: patients, episodes, intakes, plans, daily logs, "
            "sessions, signals and checkpoints. Every route declares who may call it "
            "(`x-access`); every error is an RFC 9457 problem document naming the field. "
            "See docs/api.md."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_problem_handlers(app)
    app.include_router(api_router)
    install_ui(app)
    app.add_middleware(_Guard)
    return app
