"""API v1: integration endpoints (views + their own input/output serializers)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
