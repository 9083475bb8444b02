"""Back-office security pages, mounted at /backoffice/."""

from django.urls import path

from sso import backoffice_views as views

app_name = "sso-backoffice"

urlpatterns = [
    path("security-log/", views.security_log_page, name="security-log"),
    path("users/<uuid:user_id>/sessions/", views.user_sessions_page, name="user-sessions"),
    path("users/<uuid:user_id>/sessions/end/", views.user_sessions_end, name="user-sessions-end"),
    path(
        "users/<uuid:user_id>/two-factor/reset/",
        views.user_two_factor_reset,
        name="user-two-factor-reset",
    ),
]
