"""Back-office pages of ordering (orders queue, order actions, carriers)."""

from django.urls import path  # noqa: F401

app_name = "ordering-backoffice"

urlpatterns: list[object] = []
