"""Portico's real tenant URL conf plus the two bench views (first, so they resolve fast)."""

from django.urls import path

from bench.routing import views
from control_plane.urls_tenant import urlpatterns as tenant_urlpatterns

urlpatterns = [
    path("bench/ok", views.ok),
    path("bench/db", views.db),
    *tenant_urlpatterns,
]
