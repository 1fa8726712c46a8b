"""Pages: me (being built)."""

from __future__ import annotations

from painpath.web.ui._routing import PageRouter

__all__ = ["router"]

router = PageRouter()
