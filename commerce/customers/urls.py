from django.urls import path  # noqa: F401

app_name = "customers-backoffice"

urlpatterns: list = []
