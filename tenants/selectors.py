"""Reads of the tenants domain (public schema)."""

from __future__ import annotations

import uuid

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from psycopg import sql

from tenants.choices import TenantStatus
from tenants.models import Domain, Tenant


def tenant_schema_names(*, include_archived: bool = True) -> list[str]:
    qs = Tenant.objects.exclude(schema_name="public").exclude(is_template=True)
    if not include_archived:
        qs = qs.exclude(status=TenantStatus.ARCHIVED)
    return list(qs.order_by("schema_name").values_list("schema_name", flat=True))


def tenant_list(*, search: str = "", status: str = "") -> QuerySet[Tenant]:
    """Supplier tenants for the operators' console (never the public row or the template)."""
    qs = (
        Tenant.objects.exclude(schema_name="public")
        .exclude(is_template=True)
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("-is_primary")))
        .order_by("-created_at")
    )
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(slug__icontains=search)
            | Q(domains__domain__icontains=search)
            | Q(contact_email__icontains=search)
        ).distinct()
    if status:
        qs = qs.filter(status=status)
    return qs


def tenant_by_public_id(public_id: str) -> Tenant | None:
    try:
        parsed = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return (
        Tenant.objects.exclude(schema_name="public")
        .exclude(is_template=True)
        .filter(public_id=parsed)
        .first()
    )


def primary_domain(tenant: Tenant) -> str:
    domain = tenant.domains.filter(is_primary=True).values_list("domain", flat=True).first()
    return domain or ""


# Tables counted per tenant on the console, by label. A table that does not exist yet in a
# schema (its app arrives in a later release) counts as None, shown as "—".
USAGE_TABLES = {"users": "sso_user", "products": "catalog_product", "orders": "ordering_order"}


def tenant_usage_counts(schemas: list[str]) -> dict[str, dict[str, int | None]]:
    """Counts of users, products and orders for each schema, in two queries in all."""
    result: dict[str, dict[str, int | None]] = {s: dict.fromkeys(USAGE_TABLES) for s in schemas}
    if not schemas:
        return result
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(%s) AND table_name = ANY(%s)",
            [schemas, list(USAGE_TABLES.values())],
        )
        present = set(cursor.fetchall())
        parts, params = [], []
        for schema in schemas:
            for label, table in USAGE_TABLES.items():
                if (schema, table) in present:
                    parts.append(
                        sql.SQL("SELECT %s, %s, count(*) FROM {}.{}").format(
                            sql.Identifier(schema), sql.Identifier(table)
                        )
                    )
                    params += [schema, label]
        if parts:
            cursor.execute(sql.SQL(" UNION ALL ").join(parts), params)
            for schema, label, count in cursor.fetchall():
                result[schema][label] = count
    return result


def portal_url(schema_name: str) -> str:
    """A portal's address on its primary domain (for links in e-mails): never a request's Host."""
    from django.conf import settings

    domain = (
        Domain.objects.filter(tenant__schema_name=schema_name, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    if not domain:
        return ""
    return f"{settings.PORTICO_SCHEME}://{domain}{settings.PORTICO_PORT_SUFFIX}"
