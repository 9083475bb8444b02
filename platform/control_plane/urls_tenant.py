"""URLs of every tenant host (a supplier's portal)."""

from django.urls import include, path

from core.views import healthz, tenant_media
from sso.saml.urls import backoffice_urlpatterns as saml_backoffice
from sso.saml.urls import sp_urlpatterns as saml_sp

urlpatterns = [
    path("", include("commerce.urls")),
    path("", include("sso.urls")),
    path("sso/saml/", include(saml_sp)),
    path("backoffice/sso/", include(saml_backoffice)),
    path("backoffice/", include("branding.urls")),
    path("backoffice/companies/", include("commerce.customers.urls")),
    path("backoffice/catalogue/", include("commerce.catalog.urls")),
    path("backoffice/pricing/", include("commerce.pricing.urls")),
    path("backoffice/orders/", include("commerce.ordering.urls")),
    path("", include("commerce.customers.portal_urls")),
    path("catalogue/", include("commerce.catalog.portal_urls")),
    path("", include("commerce.ordering.portal_urls")),
    path("backoffice/", include("api.pages_urls")),
    path("backoffice/", include("sso.backoffice_urls")),
    path("api/", include("api.urls")),
    path("media/<path:path>", tenant_media, name="media"),
    path("healthz", healthz, name="healthz"),
]
