"""Authentication backend: the user of a session comes with its company membership in one
query (buyer pages and the buyer API need both on every request), and from a snapshot
(``core.snapshots``) on a warm request: no query at all."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from core.snapshots import prefetch, snapshot
from core.tenancy import current_schema
from sso.models import User


def _load_user(user_id: Any) -> User | None:
    users = User.objects.filter(pk=user_id)
    if current_schema() != "public":  # operators (public) have no memberships table
        users = users.select_related("membership__company")
    return users.first()


class PorticoBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            key = f"user:{int(user_id)}"
        except (TypeError, ValueError):
            return None
        prefetch([key])  # with the portal's settings and theme: one round trip for all three
        user = snapshot(key, lambda: _load_user(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None
