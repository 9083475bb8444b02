"""URLs of every tenant host (a supplier's portal)."""

from django.urls import include, path

from core.views import healthz, tenant_media

urlpatterns = [
    path("", include("commerce.urls")),
    path("", include("sso.urls")),
    path("backoffice/", include("branding.urls")),
    path("backoffice/", include("api.pages_urls")),
    path("api/", include("api.urls")),
    path("media/<path:path>", tenant_media, name="media"),
    path("healthz", healthz, name="healthz"),
]
