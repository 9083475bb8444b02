from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api import views

app_name = "api"

urlpatterns = [
    path("v1/me", views.MeView.as_view(), name="me"),
    path("v1/", include("api.v1.customers")),
    path("v1/", include("api.v1.catalog")),
    path("v1/", include("api.v1.ordering")),
    path("v1/integration/", include("api.v1.integration")),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[]),
        name="docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", permission_classes=[]),
        name="redoc",
    ),
]
