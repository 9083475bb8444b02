from django.urls import path

from branding import views

app_name = "branding"

urlpatterns = [
    path("theme/", views.theme_edit, name="theme"),
    path("theme/preview", views.theme_preview, name="theme-preview"),
]
