"""What a use case can refuse, each mapped to one HTTP status and one CLI exit by the adapters."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "ServiceError",
    "TooManyAttempts",
    "Unauthorized",
]


class ServiceError(Exception):
    """A refusal a user can act on; ``outcome`` is what the audit trail records."""

    status = 400
    outcome = "failure"
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ServiceError):
    """Missing, or outside the caller's scope: the two answer the same, so neither leaks."""

    status = 404
    outcome = "not_found"
    title = "Not found"

    def __init__(self, what: str) -> None:
        super().__init__(f"no such {what}")


class Forbidden(ServiceError):
    status = 403
    outcome = "denied"
    title = "Forbidden"


class Unauthorized(ServiceError):
    status = 401
    outcome = "denied"
    title = "Not signed in"


class Conflict(ServiceError):
    status = 409
    outcome = "conflict"
    title = "Conflict"


class InvalidInput(ServiceError):
    """Input that fails a rule; ``errors`` names each field (JSON path) and what is allowed."""

    status = 422
    outcome = "invalid"
    title = "Invalid input"

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors))


class TooManyAttempts(ServiceError):
    """Login throttled: too many recent failures for this account or address."""

    status = 429
    outcome = "throttled"
    title = "Too many attempts"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
