"""Ordering API: cart, quick order, lists, orders and their transitions, shipments."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list[object] = []
