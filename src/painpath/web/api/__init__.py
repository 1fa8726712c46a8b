"""The JSON API, versioned under /api/v1."""

from painpath.web.api.routes import api_router

__all__ = ["api_router"]
