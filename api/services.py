"""API key writes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from api.choices import ApiScope
from api.models import ApiKey
from audit.choices import AuditAction
from audit.services import audit_record
from core.errors import DomainError
from sso.policies import require_supplier_admin

LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_create(*, actor: Any, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Create a key; returns it and the full key text, which is never shown again."""
    require_supplier_admin(actor)
    name = name.strip()
    if not name:
        raise DomainError(
            "name_required", "Name the key after the system that will use it.", field="name"
        )
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown or not scopes:
        raise DomainError(
            "bad_scopes",
            f"Choose at least one scope among {', '.join(ApiScope.values)}.",
            field="scopes",
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name,
            prefix=prefix,
            secret_hash=hash_secret(secret),
            scopes=sorted(set(scopes)),
            created_by=actor,
        )
        audit_record(
            action=AuditAction.API_KEY_CREATED, actor=actor, obj=key, details={"scopes": key.scopes}
        )
    return key, f"ptk_{prefix}_{secret}"


def api_key_revoke(*, actor: Any, key: ApiKey) -> ApiKey:
    require_supplier_admin(actor)
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(action=AuditAction.API_KEY_REVOKED, actor=actor, obj=locked)
    return locked


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The active key matching ``raw``, or None. Records last use at most once a minute."""
    parts = raw.split("_")
    if len(parts) < 3 or parts[0] != "ptk":
        return None
    prefix, secret = parts[1], "_".join(parts[2:])
    key = (
        ApiKey.objects.select_related("created_by")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
