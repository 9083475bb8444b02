"""URLs of the control-plane host (public schema)."""

from django.urls import include, path

from control_plane import views
from core.views import healthz

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("signup/check-subdomain", views.subdomain_check, name="signup-check"),
    path("console/", views.console_tenants, name="console"),
    path("console/tenants/<str:public_id>/", views.console_tenant_detail, name="console-tenant"),
    path("healthz", healthz, name="healthz"),
    path("", include("sso.urls")),
]
