from django.urls import path

from sso import views

app_name = "sso"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("auth/handoff/<str:token>/", views.handoff_view, name="handoff"),
]
