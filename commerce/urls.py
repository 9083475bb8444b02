from django.urls import path

from commerce import views

app_name = "commerce"

urlpatterns = [
    path("", views.home, name="home"),
    path("backoffice/", views.backoffice, name="backoffice"),
]
