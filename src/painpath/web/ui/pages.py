"""Every page module of the browser app, in one list (the app includes each router)."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["page_routers"]


def page_routers() -> list[APIRouter]:
    from painpath.web.ui import (
        accounts_pages,
        assessment_pages,
        auth_pages,
        checkpoint_pages,
        intake_pages,
        me_pages,
        panel_pages,
        patients_pages,
        plan_pages,
        print_pages,
        progress_pages,
    )

    return [
        auth_pages.router,
        patients_pages.router,
        panel_pages.router,
        intake_pages.router,
        assessment_pages.router,
        plan_pages.router,
        progress_pages.router,
        checkpoint_pages.router,
        print_pages.router,
        me_pages.router,
        accounts_pages.router,
    ]
