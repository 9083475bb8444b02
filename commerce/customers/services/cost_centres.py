"""Cost centre writes: codes unique per company (ignoring case)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import audit_record, changes_between, snapshot
from commerce.customers.errors import CustomerError
from commerce.customers.models import Company, CostCentre
from commerce.customers.policies import require_company_manager
from commerce.customers.services.common import CustomerAction, audit_details, problem, raise_if

# --- Cost centres -----------------------------------------------------------------------------

COST_CENTRE_FIELDS = ("code", "name", "active")


def _clean_cost_centre(
    *, company_id: int, code: str, name: str, exclude_pk: int | None = None
) -> dict[str, str]:
    problems: list[CustomerError] = []
    code, name = code.strip(), name.strip()
    if not code:
        problems.append(problem("code_required", "Enter a code, for example CC-100.", "code"))
    elif len(code) > 32:
        problems.append(
            problem("code_too_long", f"Keep the code to 32 characters; it has {len(code)}.", "code")
        )
    elif (
        CostCentre.objects.filter(company_id=company_id, code__iexact=code)
        .exclude(pk=exclude_pk or 0)
        .exists()
    ):
        problems.append(
            problem(
                "code_taken",
                f"The code “{code}” is already used in this company; choose another.",
                "code",
            )
        )
    if not name:
        problems.append(problem("name_required", "Name the cost centre.", "name"))
    elif len(name) > 120:
        problems.append(
            problem(
                "name_too_long", f"Keep the name to 120 characters; it has {len(name)}.", "name"
            )
        )
    raise_if(problems)
    return {"code": code, "name": name}


def cost_centre_create(*, actor: Any, company: Company, code: str, name: str) -> CostCentre:
    """Add a cost centre; codes are unique within a company (ignoring case)."""
    require_company_manager(actor, company.pk)
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=company.pk).first()
        values = _clean_cost_centre(company_id=company.pk, code=code, name=name)
        centre = CostCentre.objects.create(company=company, **values)
        audit_record(
            action=CustomerAction.COST_CENTRE_CREATED,
            actor=actor,
            obj=centre,
            changes=changes_between({}, snapshot(centre, COST_CENTRE_FIELDS)),
            details=audit_details(company),
        )
    return centre


def cost_centre_update(*, actor: Any, cost_centre: CostCentre, code: str, name: str) -> CostCentre:
    require_company_manager(actor, cost_centre.company_id)
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=cost_centre.company_id).first()
        locked = CostCentre.objects.select_for_update().get(pk=cost_centre.pk)
        values = _clean_cost_centre(
            company_id=locked.company_id, code=code, name=name, exclude_pk=locked.pk
        )
        before = snapshot(locked, COST_CENTRE_FIELDS)
        changed = [k for k, v in values.items() if getattr(locked, k) != v]
        for key in changed:
            setattr(locked, key, values[key])
        if changed:
            locked.save(update_fields=changed)
            audit_record(
                action=CustomerAction.COST_CENTRE_UPDATED,
                actor=actor,
                obj=locked,
                changes=changes_between(before, snapshot(locked, COST_CENTRE_FIELDS)),
                details=audit_details(locked.company),
            )
    return locked


def cost_centre_deactivate(*, actor: Any, cost_centre: CostCentre) -> CostCentre:
    require_company_manager(actor, cost_centre.company_id)
    with transaction.atomic():
        locked = CostCentre.objects.select_for_update().get(pk=cost_centre.pk)
        if locked.active:
            locked.active = False
            locked.save(update_fields=["active"])
            audit_record(
                action=CustomerAction.COST_CENTRE_DEACTIVATED,
                actor=actor,
                obj=locked,
                changes={"active": [True, False]},
                details=audit_details(locked.company),
            )
    return locked
