"""Signed-in sessions per schema: recorded at sign-in, touched, ended (each end audited); the
lists are ``sso.selectors.user_sessions`` / ``member_sessions``.

A ``UserSession`` row is keyed by the SHA-256 of the session key. The key itself is stored
sealed (Fernet, with a key derived from ``SECRET_KEY``): the table alone gives nobody a usable
cookie, and ending a session can still remove it from the session store at once (the cache and
the database of the ``cached_db`` engine) instead of waiting for it to expire.

The hot path stays cheap: ``touch`` is called by ``SessionActivityMiddleware`` and reads the time
of the last touch from the session itself; it writes (one UPDATE) at most once a minute.
"""

from __future__ import annotations

import base64
import hashlib
import time
from importlib import import_module
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.choices import AuditAction
from audit.services import audit_record
from core import context
from sso.models import User, UserSession

TOUCH_SECONDS = 60
SEEN_KEY = "_sso_seen"


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def _fernet() -> Fernet:
    derived = hashlib.sha256(f"portico.user-session|{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def _seal(session_key: str) -> str:
    return _fernet().encrypt(session_key.encode()).decode()


def _unseal(sealed: str) -> str | None:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:  # sealed under an earlier SECRET_KEY: its session is gone anyway
        return None


def _store(session_key: str | None) -> Any:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=session_key)


def current_key_hash(request: HttpRequest) -> str:
    key = request.session.session_key
    return key_hash(key) if key else ""


def _record(session_key: str, user: Any, method: str) -> UserSession:
    ctx = context.current()
    record, _ = UserSession.objects.update_or_create(
        key_hash=key_hash(session_key),
        defaults={
            "user": user,
            "sealed_key": _seal(session_key),
            "method": method,
            "ip": ctx.ip,
            "user_agent": ctx.user_agent[:400],
            "last_seen_at": timezone.now(),
        },
    )
    return record


def user_session_start(*, request: HttpRequest, user: User, method: str) -> UserSession:
    """Record the request's (already rotated) session as ``user``'s, signed in by ``method``.
    The session is saved first so that it has its final key."""
    request.session[SEEN_KEY] = int(time.time())
    request.session.save()
    return _record(str(request.session.session_key), user, method)


def touch(request: HttpRequest) -> None:
    """Mark the request's session as seen now, at most once a minute (one UPDATE). A signed-in
    session without a record (signed in before sessions were recorded) gets one then."""
    now = int(time.time())
    seen = request.session.get(SEEN_KEY, 0)
    if now - int(seen) < TOUCH_SECONDS:
        return
    session_key = str(request.session.session_key)
    updated = UserSession.objects.filter(key_hash=key_hash(session_key)).update(
        last_seen_at=timezone.now(), ip=context.current().ip
    )
    if not updated:
        if not request.session.exists(session_key):
            return  # ended during this very request: leave it ended
        _record(session_key, request.user, "earlier")
    request.session[SEEN_KEY] = now


def _end(record: UserSession) -> None:
    session_key = _unseal(record.sealed_key)
    if session_key:
        _store(session_key).delete()
    record.delete()


def user_session_end(*, actor: Any, record: UserSession, reason: str) -> None:
    """End one session at once (its cookie is anonymous from the next request on); audited.
    The caller has checked that ``actor`` may end it."""
    with transaction.atomic():
        user = record.user
        _end(record)
        audit_record(
            action=AuditAction.SESSION_ENDED,
            actor=actor,
            obj=user,
            details={"session": str(record.public_id), "reason": reason},
        )


def user_sessions_end_others(*, request: HttpRequest) -> int:
    """End every session of the signed-in user except this one; returns how many ended."""
    user: Any = request.user
    current = current_key_hash(request)
    with transaction.atomic():
        records = list(
            UserSession.objects.select_for_update()
            .filter(user_id=user.pk)
            .exclude(key_hash=current)
        )
        for record in records:
            _end(record)
        if records:
            audit_record(
                action=AuditAction.SESSION_ENDED,
                actor=user,
                obj=user,
                details={"sessions": len(records), "reason": "ended_by_user_others"},
            )
    return len(records)


def user_sessions_end_all(*, actor: Any, user: User, reason: str) -> int:
    """End every session of ``user`` (an administrator's action, or after a password reset).
    The caller has checked the permission. Audited when any session ended."""
    with transaction.atomic():
        records = list(UserSession.objects.select_for_update().filter(user_id=user.pk))
        for record in records:
            _end(record)
        if records:
            audit_record(
                action=AuditAction.SESSION_ENDED,
                actor=actor,
                obj=user,
                details={"sessions": len(records), "reason": reason},
            )
    return len(records)


def forget_current(request: HttpRequest) -> None:
    """Sign-out: the record of this session goes (the session itself is flushed by Django)."""
    current = current_key_hash(request)
    if current:
        UserSession.objects.filter(key_hash=current).delete()


def member_sessions_end(*, actor: Any, user: User) -> int:
    """An administrator ends every session of ``user`` (``require_session_manager``)."""
    from sso.policies import require_session_manager

    require_session_manager(actor, user)
    return user_sessions_end_all(actor=actor, user=user, reason="ended_by_admin")
