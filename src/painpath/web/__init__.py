"""The web adapter: the JSON API under /api/v1 (and, later, the server-rendered pages)."""

from painpath.web.app import create_app

__all__ = ["create_app"]
