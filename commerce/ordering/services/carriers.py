"""Carriers the dispatchers ship with, and their tracking-link templates (administrators)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from audit.services import audit_record
from commerce.ordering.errors import OrderingError
from commerce.ordering.models import Carrier
from commerce.ordering.policies import staff_can
from core.errors import PermissionDenied
from sso.choices import StaffRole


def _check_template(template: str) -> str:
    clean = template.strip()
    if "{tracking}" not in clean:
        raise OrderingError(
            "template_placeholder",
            "The tracking link needs {tracking} where the tracking number goes, e.g. "
            "https://track.example.com/?id={tracking}",
            field="tracking_url_template",
        )
    parts = urlsplit(clean.replace("{tracking}", "X"))
    if parts.scheme != "https" or not parts.netloc:
        raise OrderingError(
            "template_url",
            "The tracking link must be an https:// address.",
            field="tracking_url_template",
        )
    return clean


def carrier_save(
    *,
    actor: Any,
    name: str,
    tracking_url_template: str,
    active: bool = True,
    carrier: Carrier | None = None,
) -> Carrier:
    """Create a carrier, or change ``carrier``; names are unique."""
    if not staff_can(actor, {StaffRole.ADMINISTRATOR, StaffRole.DISPATCHER}):
        raise PermissionDenied("Only administrators and dispatchers manage carriers.")
    clean_name = " ".join(name.split())
    if not clean_name:
        raise OrderingError("name_required", "Give the carrier a name.", field="name")
    template = _check_template(tracking_url_template)
    try:
        with transaction.atomic():
            target = carrier or Carrier()
            before = {"name": target.name, "template": target.tracking_url_template}
            target.name = clean_name
            target.tracking_url_template = template
            target.active = active
            target.save()
            audit_record(
                action="carrier.saved",
                actor=actor,
                obj=target,
                changes={
                    "name": [before["name"], clean_name],
                    "template": [before["template"], template],
                },
            )
    except IntegrityError as exc:
        raise OrderingError(
            "name_taken", f"There is already a carrier called “{clean_name}”.", field="name"
        ) from exc
    return target
