"""Painpath's release version (the knowledge base carries its own version)."""

__version__ = "0.1.0"
