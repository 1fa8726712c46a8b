"""The browser app: server-rendered pages (Jinja2 + HTMX) over the same use cases as the API.

Every page is added through `PageRouter.page(..., access=Policy)`; the static files (our CSS and
JavaScript and the vendored front-end libraries, with their licences) are public.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from painpath.web.ui.errors import PageErrors
from painpath.web.ui.render import STATIC

__all__ = ["install_ui"]


def install_ui(app: FastAPI) -> None:
    """Serve the pages and the static files, and show errors on pages as pages."""
    from painpath.web.ui.pages import page_routers

    app.state.page_errors = PageErrors()
    for router in page_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
