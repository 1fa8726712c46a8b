"""Accounts: Argon2id passwords, login with throttling, server-side sessions and API tokens.

Secrets handed to clients (session cookies, bearer tokens) are stored only as SHA-256 hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from painpath.services.commands import UserInput
from painpath.services.errors import InvalidInput, NotFound, TooManyAttempts, Unauthorized
from painpath.services.principal import Principal
from painpath.settings import Settings
from painpath.store.models import ApiToken, AuditEvent, AuthSession, Clinic, Patient, User
from painpath.store.unit_of_work import SqlUnitOfWork

__all__ = [
    "SignedIn",
    "authenticate_session",
    "authenticate_token",
    "check_new_user",
    "create_token",
    "create_user",
    "hash_password",
    "login",
    "logout",
]

# argon2-cffi's defaults are Argon2id with RFC 9106's low-memory profile (64 MiB, t=3, p=4).
_hasher = PasswordHasher()
_FAILED = ("failure", "throttled")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    # Verified against when the account does not exist, so a wrong username costs as much
    # time as a wrong password and timing does not reveal which accounts exist.
    return _hasher.hash(secrets.token_urlsafe(16))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands datetimes back without their zone; they were stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def principal_of(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        clinic_id=user.clinic_id,
        patient_id=user.patient_id,
    )


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    session_token: str
    csrf_token: str


def _throttle(uow: SqlUnitOfWork, username: str, settings: Settings, now: dt.datetime) -> None:
    since = now - dt.timedelta(minutes=settings.login_window_minutes)
    failures = select(func.count()).where(
        AuditEvent.action == "auth.login", AuditEvent.outcome.in_(_FAILED), AuditEvent.at >= since
    )
    by_user = uow.db.scalar(failures.where(AuditEvent.actor == username)) or 0
    by_address = uow.db.scalar(failures.where(AuditEvent.client == uow.client)) or 0
    if by_user >= settings.login_failures_per_user or (
        uow.client and by_address >= settings.login_failures_per_address
    ):
        raise TooManyAttempts(
            "too many failed sign-ins; wait a few minutes and try again",
            retry_after=settings.login_window_minutes * 60,
        )


def login(
    uow: SqlUnitOfWork,
    username: str,
    password: str,
    *,
    settings: Settings,
    now: dt.datetime,
    replaces: str | None = None,
) -> SignedIn:
    """Check a username and password and open a new server-side session (a new identifier at
    every login; ``replaces``, the caller's old session, is ended). Every attempt is audited;
    failures are throttled per account and per address (reliability-security.md 8)."""
    actor = username[:100]
    with uow:
        try:
            _throttle(uow, actor, settings, now)
            user = uow.db.scalars(select(User).where(User.username == username)).first()
            stored = user.password_hash if user and user.active else None
            try:
                _hasher.verify(stored or _dummy_hash(), password)
            except (VerificationError, InvalidHashError):
                stored = None
            if user is None or stored is None:
                raise Unauthorized("wrong username or password")
        except (Unauthorized, TooManyAttempts) as refusal:
            # A wrong password is a failed sign-in ("failure"), what the throttle counts.
            outcome = "throttled" if isinstance(refusal, TooManyAttempts) else "failure"
            uow.audit("auth.login", outcome=outcome, actor=actor)
            uow.commit()
            raise
        if _hasher.check_needs_rehash(stored):
            user.password_hash = _hasher.hash(password)
        if replaces:
            uow.db.execute(delete(AuthSession).where(AuthSession.id == digest(replaces)))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        uow.db.add(
            AuthSession(
                id=digest(token), user_id=user.id, csrf_token=csrf, created_at=now, last_seen_at=now
            )
        )
        uow.principal = principal_of(user)
        uow.audit("auth.login", outcome="success", record_type="user", record_id=user.id)
        uow.commit()
        return SignedIn(principal=uow.principal, session_token=token, csrf_token=csrf)


def authenticate_session(
    uow: SqlUnitOfWork, token: str, *, settings: Settings, now: dt.datetime
) -> tuple[Principal, str] | None:
    """The principal and CSRF token of a live session, or None. A session idle longer than its
    role allows (30 minutes for staff) or older than the absolute limit is ended."""
    with uow:
        row = uow.db.get(AuthSession, digest(token))
        if row is None:
            return None
        user = uow.db.get(User, row.user_id)
        idle = (
            settings.patient_idle_minutes
            if user and user.role == "patient"
            else settings.staff_idle_minutes
        )
        if (
            user is None
            or not user.active
            or now - _aware(row.last_seen_at) > dt.timedelta(minutes=idle)
            or now - _aware(row.created_at) > dt.timedelta(hours=settings.session_max_hours)
        ):
            uow.db.delete(row)
            uow.commit()
            return None
        # Touch the session at most once a minute: reads should not all become writes.
        if now - _aware(row.last_seen_at) > dt.timedelta(seconds=60):
            row.last_seen_at = now
            uow.commit()
        return principal_of(user), row.csrf_token


def authenticate_token(uow: SqlUnitOfWork, token: str, *, now: dt.datetime) -> Principal | None:
    """The principal of a live bearer token, or None (revoked, expired, unknown)."""
    with uow:
        row = uow.db.scalars(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
        if row is None or row.revoked or (row.expires_at and _aware(row.expires_at) <= now):
            return None
        user = uow.db.get(User, row.user_id)
        return principal_of(user) if user and user.active else None


def logout(uow: SqlUnitOfWork, token: str) -> None:
    """End a session: its cookie answers 401 from now on."""
    with uow:
        uow.db.execute(delete(AuthSession).where(AuthSession.id == digest(token)))
        uow.audit("auth.logout", outcome="success")
        uow.commit()


def check_new_user(uow: SqlUnitOfWork, data: UserInput) -> None:
    """A username is unique across clinics; only a patient account points at a patient."""
    if uow.db.scalars(select(User.id).where(User.username == data.username)).first():
        raise InvalidInput([("username", f"{data.username!r} is taken")])
    if (data.role == "patient") != (data.patient_id is not None):
        raise InvalidInput([("patient_id", "give it for a patient account, and only then")])
    if (
        data.patient_id
        and uow.db.scalars(select(User.id).where(User.patient_id == data.patient_id)).first()
    ):
        raise InvalidInput([("patient_id", "this patient already has an account")])


def create_user(uow: SqlUnitOfWork, clinic_name: str, data: UserInput) -> User:
    """An account in ``clinic_name`` (created when new); a patient account must point at a
    patient of that clinic. Used by `painpath user create` and the demo."""
    with uow:
        clinic = uow.db.scalars(select(Clinic).where(Clinic.name == clinic_name)).first()
        if clinic is None:
            clinic = Clinic(name=clinic_name)
            uow.db.add(clinic)
            uow.db.flush()
        check_new_user(uow, data)
        if data.patient_id:
            patient = uow.db.get(Patient, data.patient_id)
            if patient is None or patient.clinic_id != clinic.id:
                raise NotFound("patient")
        user = User(
            clinic_id=clinic.id,
            username=data.username,
            display_name=data.display_name,
            role=data.role,
            password_hash=hash_password(data.password),
            patient_id=data.patient_id,
        )
        uow.db.add(user)
        uow.db.flush()
        uow.principal = principal_of(user)
        uow.audit(
            "user.create",
            outcome="success",
            record_type="user",
            record_id=user.id,
            actor="painpath-cli",
        )
        uow.commit()
        return user


def create_token(
    uow: SqlUnitOfWork, username: str, *, name: str, now: dt.datetime, days: int | None
) -> str:
    """A new bearer token for ``username`` (shown once; only its hash is kept)."""
    with uow:
        user = uow.db.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise NotFound("user")
        token = "pp_" + secrets.token_urlsafe(32)
        expires = now + dt.timedelta(days=days) if days else None
        uow.db.add(
            ApiToken(token_hash=digest(token), user_id=user.id, name=name, expires_at=expires)
        )
        uow.principal = principal_of(user)
        uow.audit(
            "token.create",
            outcome="success",
            record_type="user",
            record_id=user.id,
            actor="painpath-cli",
        )
        uow.commit()
        return token
