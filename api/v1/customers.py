"""API v1: customers endpoints (views + their own input/output serializers)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
