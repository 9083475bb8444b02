"""Authentication backend: the user of a session comes with its company membership in one
query (buyer pages and the buyer API need both on every request)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from core.tenancy import current_schema
from sso.models import User


class PorticoBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        users = User.objects.filter(pk=user_id)
        if current_schema() != "public":  # operators (public) have no memberships table
            users = users.select_related("membership__company")
        user = users.first()
        return user if user is not None and self.user_can_authenticate(user) else None
