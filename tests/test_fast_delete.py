"""Deletes in a portal are one statement: no listener for every model (django-tenants connects
one; tenants/apps.py narrows it to the tenant model, which still gets it)."""

from __future__ import annotations

from django.db.models.deletion import Collector
from django.db.models.signals import post_delete
from django_tenants.signals import tenant_delete_callback

from commerce.ordering.models import CartLine
from tenants.models import Tenant


def test_portal_rows_are_deleted_in_one_statement():
    assert Collector(using="default", origin=None).can_fast_delete(CartLine.objects.none())


def test_a_deleted_tenant_still_reaches_django_tenants():
    listeners = [r for r in post_delete._live_receivers(Tenant)[0]]
    assert tenant_delete_callback in listeners
