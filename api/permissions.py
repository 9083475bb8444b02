from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from api.models import ApiKey


class HasScope(BasePermission):
    """Session users pass; an API key must carry the view's ``required_scope``."""

    message = "This API key lacks the scope this endpoint needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiKey):
            return bool(request.user and request.user.is_authenticated)
        required = getattr(view, "required_scope", "read")
        return required in request.auth.scopes
