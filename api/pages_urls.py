from django.urls import path

from api import pages

app_name = "api-pages"

urlpatterns = [
    path("api-keys/", pages.api_keys, name="keys"),
    path("api-keys/<str:public_id>/revoke", pages.api_key_revoke, name="revoke"),
]
