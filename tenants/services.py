"""Tenant writes: provisioning a supplier's portal and moving it through its lifecycle."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.choices import AuditAction
from audit.services import audit_record
from core.errors import DomainError
from core.tenancy import db
from sso.policies import require_operator
from tenants import routing, schema_clone
from tenants.choices import RESERVED_SUBDOMAINS, TENANT_STATUS_TRANSITIONS, Plan, TenantStatus
from tenants.errors import (
    ProvisioningError,
    SignupInvalid,
    SubdomainError,
    TenantTransitionError,
)
from tenants.models import Domain, Tenant

logger = logging.getLogger(__name__)

SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def schema_name_for(slug: str) -> str:
    # Slugs hold only [a-z0-9-], so this mapping is one-to-one.
    return "t_" + slug.replace("-", "_")


def host_for(slug: str) -> str:
    return f"{slug}.{settings.PORTICO_BASE_DOMAIN}"


def subdomain_check(slug: str) -> str:
    """Return the normalised sub-domain, or raise ``SubdomainError`` saying exactly why not."""
    slug = slug.strip().lower()
    if not slug:
        raise SubdomainError(
            "subdomain_required", "Choose a sub-domain for your portal.", field="subdomain"
        )
    if len(slug) < 3:
        raise SubdomainError(
            "subdomain_too_short",
            f"“{slug}” is too short: use 3 to 40 characters.",
            field="subdomain",
        )
    if len(slug) > 40:
        raise SubdomainError(
            "subdomain_too_long",
            f"That sub-domain has {len(slug)} characters; use at most 40.",
            field="subdomain",
        )
    if not SUBDOMAIN_RE.match(slug):
        raise SubdomainError(
            "subdomain_invalid",
            f"“{slug}” cannot be a sub-domain: use lower-case letters, digits and hyphens, "
            "starting and ending with a letter or digit.",
            field="subdomain",
        )
    if "--" in slug:
        raise SubdomainError(
            "subdomain_invalid",
            "Two hyphens in a row are not allowed in a sub-domain.",
            field="subdomain",
        )
    if slug in RESERVED_SUBDOMAINS:
        raise SubdomainError(
            "subdomain_reserved",
            f"“{slug}” is reserved by the platform; please choose another.",
            field="subdomain",
        )
    with schema_context("public"):
        taken = (
            Tenant.objects.filter(slug=slug).exists()
            or Domain.objects.filter(domain=host_for(slug)).exists()
        )
    if taken:
        raise SubdomainError(
            "subdomain_taken",
            f"“{slug}” is already taken; please choose another.",
            field="subdomain",
        )
    return slug


@dataclass(frozen=True)
class SignupRequest:
    company_name: str
    subdomain: str
    admin_name: str
    admin_email: str
    admin_password: str
    plan: str = Plan.STARTER


def signup_problems(req: SignupRequest) -> dict[str, str]:
    """Every problem with a sign-up, by field, in words the person can act on."""
    from sso.models import User

    problems: dict[str, str] = {}
    if not req.company_name.strip():
        problems["company_name"] = "Enter your company's name as buyers know it."
    elif len(req.company_name.strip()) > 120:
        problems["company_name"] = "Keep the company name under 120 characters."
    try:
        subdomain_check(req.subdomain)
    except SubdomainError as exc:
        problems["subdomain"] = exc.message
    if not req.admin_name.strip():
        problems["admin_name"] = "Enter the name of the portal's first administrator."
    email = req.admin_email.strip()
    try:
        validate_email(email)
    except ValidationError:
        problems["admin_email"] = (
            f"“{email}” is not an e-mail address; it should look like name@company.com."
            if email
            else "Enter the administrator's e-mail address."
        )
    try:
        validate_password(req.admin_password, User(email=email, full_name=req.admin_name))
    except ValidationError as exc:
        problems["admin_password"] = " ".join(exc.messages)
    if req.plan not in Plan.values:
        problems["plan"] = "Choose one of the plans."
    return problems


def ensure_template() -> Tenant:
    """The template tenant, created and migrated to the code's migrations if it lags."""
    name = settings.PORTICO_TEMPLATE_SCHEMA
    with schema_context("public"):
        template = Tenant.objects.filter(is_template=True).first()
        if template is None:
            template = Tenant.objects.create(
                schema_name=name,
                name="Template",
                slug="-template-",
                is_template=True,
                status=TenantStatus.ACTIVE,
            )
        if not schema_clone.schema_exists(name):
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{name}"')
        if schema_clone.applied_in(name) and schema_clone.missing_model_columns(name):
            logger.warning("template schema has migration records but lacks tables; rebuilding")
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{name}" CASCADE; CREATE SCHEMA "{name}"')
        lag = schema_clone.template_lag(name)
        if lag:
            logger.info("template schema lags %d migrations; migrating it", len(lag))
            schema_clone.migrate_schema(name)
            if schema_clone.template_lag(name):
                raise ProvisioningError(
                    "template_broken",
                    "The template schema could not be brought up to date; run "
                    "`manage.py portico_template --rebuild`.",
                )
    return template


def template_rebuild() -> Tenant:
    """Drop and re-create the template schema from migrations."""
    name = settings.PORTICO_TEMPLATE_SCHEMA
    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    return ensure_template()


def _create_schema(schema: str, strategy: str) -> None:
    if strategy == "migrate":
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        schema_clone.migrate_schema(schema)
        return
    template = settings.PORTICO_TEMPLATE_SCHEMA
    schema_clone.clone_schema(template, schema)
    try:
        schema_clone.verify_clone(template, schema)
    except schema_clone.CloneVerificationError as exc:
        logger.error("clone verification failed: %s", exc)
        raise ProvisioningError(
            "clone_mismatch",
            "Your portal could not be created because of a problem on our side; nothing was "
            "kept. Please try again in a minute.",
        ) from exc


def tenant_provision(
    *, actor: Any, request: SignupRequest, strategy: str = "clone"
) -> tuple[Tenant, Any]:
    """Create a supplier's portal: tenant row, schema (cloned from the template and verified),
    primary domain, default theme, first administrator, audit entries and the welcome e-mail.

    All of it happens in one transaction: a failure at any step leaves no tenant, no schema,
    no domain and no user. Returns the tenant and the administrator.
    """
    problems = signup_problems(request)
    if problems:
        raise SignupInvalid(problems)
    slug = request.subdomain.strip().lower()
    schema = schema_name_for(slug)
    if strategy == "clone":
        ensure_template()
    try:
        with transaction.atomic():
            db().set_schema_to_public()
            tenant = Tenant.objects.create(
                schema_name=schema,
                name=request.company_name.strip(),
                slug=slug,
                plan=request.plan,
                contact_email=request.admin_email.strip().lower(),
                status=TenantStatus.TRIAL,
            )
            Domain.objects.create(
                domain=host_for(slug), tenant=tenant, is_primary=True, verified_at=timezone.now()
            )
            audit_record(
                action=AuditAction.TENANT_SIGNED_UP,
                actor=actor,
                obj=tenant,
                details={"subdomain": slug, "plan": request.plan},
            )
            _create_schema(schema, strategy)
            with schema_context(schema):
                admin = _populate_new_tenant(tenant, request)
            transaction.on_commit(routing.invalidate)
    except IntegrityError as exc:
        raise SubdomainError(
            "subdomain_taken",
            f"“{slug}” was taken a moment ago; please choose another.",
            field="subdomain",
        ) from exc
    return tenant, admin


def _populate_new_tenant(tenant: Tenant, request: SignupRequest) -> Any:
    from branding.services import theme_create_default
    from outbox.services import outbox_enqueue
    from sso.choices import StaffRole, UserKind
    from sso.services import user_create

    theme = theme_create_default(display_name=tenant.name)
    admin = user_create(
        actor=None,
        email=request.admin_email,
        full_name=request.admin_name,
        password=request.admin_password,
        kind=UserKind.STAFF,
        staff_role=StaffRole.ADMINISTRATOR,
    )
    audit_record(
        action=AuditAction.TENANT_PROVISIONED,
        actor=admin,
        obj=theme,
        object_type="tenants.tenant",
        object_id=str(tenant.public_id),
        object_label=tenant.name,
        details={"schema": tenant.schema_name},
    )
    portal_url = (
        f"{settings.PORTICO_SCHEME}://{host_for(tenant.slug)}{settings.PORTICO_PORT_SUFFIX}"
    )
    outbox_enqueue(
        kind="email",
        payload={
            "template": "welcome",
            "to": [admin.email],
            "subject": f"Welcome to your {tenant.name} portal",
            "context": {
                "name": admin.full_name,
                "portal_url": portal_url,
                "company": tenant.name,
                "email": admin.email,
            },
        },
    )
    return admin


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


_STATUS_ACTIONS = {
    TenantStatus.SUSPENDED: AuditAction.TENANT_SUSPENDED,
    TenantStatus.ACTIVE: AuditAction.TENANT_REACTIVATED,
    TenantStatus.ARCHIVED: AuditAction.TENANT_ARCHIVED,
}


def tenant_set_status(*, actor: Any, tenant: Tenant, status: str, reason: str) -> Tenant:
    """Suspend, reactivate or archive a tenant (operators only; a reason is required).

    The change reaches routing in every process within about a second (``routing``)."""
    require_operator(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError(
            "reason_required",
            "Say why, in a sentence: the reason is kept in the audit log.",
            field="reason",
        )
    with transaction.atomic(), schema_context("public"):
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if status not in TENANT_STATUS_TRANSITIONS[locked.status]:
            raise TenantTransitionError(
                "transition_refused",
                f"{_article(locked.status).capitalize()} {locked.status} portal cannot become "
                f"{status}.",
            )
        before = locked.status
        locked.status = status
        locked.status_reason = reason
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "status_changed_at"])
        audit_record(
            action=_STATUS_ACTIONS[TenantStatus(status)],
            actor=actor,
            obj=locked,
            changes={"status": [before, status]},
            details={"reason": reason},
        )
        transaction.on_commit(routing.invalidate)
    return locked


def platform_ensure_public() -> Tenant:
    """The public tenant (control plane) and its host, idempotently."""
    with schema_context("public"):
        tenant, _ = Tenant.objects.get_or_create(
            schema_name="public",
            defaults={
                "name": "Portico control plane",
                "slug": "-public-",
                "status": TenantStatus.ACTIVE,
            },
        )
        Domain.objects.get_or_create(
            domain=settings.PORTICO_PUBLIC_HOST,
            defaults={"tenant": tenant, "is_primary": True, "verified_at": timezone.now()},
        )
    transaction.on_commit(routing.invalidate)
    return tenant
