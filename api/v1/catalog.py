"""API v1: catalog endpoints (views + their own input/output serializers)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
