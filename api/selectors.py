from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from api.models import ApiKey
from core.errors import NotFound
from sso.policies import require_supplier_admin


def api_key_list(*, actor: Any) -> QuerySet[ApiKey]:
    require_supplier_admin(actor)
    return ApiKey.objects.select_related("created_by").order_by("-created_at")


def access_api_key_by_id(actor: Any, public_id: str) -> ApiKey:
    require_supplier_admin(actor)
    try:
        parsed = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound() from exc
    key = ApiKey.objects.filter(public_id=parsed).first()
    if key is None:
        raise NotFound()
    return key
