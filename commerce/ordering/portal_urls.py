"""Buyer portal pages of ordering (cart, quick order, lists, checkout, orders, notifications)."""

from django.urls import path  # noqa: F401

app_name = "ordering-portal"

urlpatterns: list[object] = []
