"""Object access by id for an actor: the same ``NotFound`` for missing and forbidden."""

from __future__ import annotations

from typing import Any

from core.errors import NotFound
from core.ids import parse_uuid
from sso.models import User, UserSession
from sso.selectors import user_sessions


def access_own_session_by_id(actor: Any, public_id: Any) -> UserSession:
    parsed = parse_uuid(public_id)
    found = None
    if parsed is not None and getattr(actor, "is_authenticated", False):
        found = user_sessions(user=actor).filter(public_id=parsed).first()
    if found is None:
        raise NotFound()
    return found


def access_user_by_id(actor: Any, public_id: Any) -> User:
    """A user of this portal whose sessions ``actor`` may manage; "not found" otherwise."""
    from sso.policies import require_session_manager

    parsed = parse_uuid(public_id)
    qs = User.objects.filter(public_id=parsed) if parsed else User.objects.none()
    if getattr(actor, "kind", "") == "buyer":
        qs = qs.select_related("membership")
    user = qs.first()
    if user is None:
        raise NotFound()
    require_session_manager(actor, user)
    return user
