from django.urls import path

from sso import account_views, views

app_name = "sso"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("auth/handoff/<str:token>/", views.handoff_view, name="handoff"),
    # Two-factor sign-in, sessions and password reset (sso.account_views).
    path("login/verify/", account_views.login_verify, name="login-verify"),
    path("account/security/", account_views.security, name="security"),
    path("account/two-factor/setup/", account_views.two_factor_setup, name="two-factor-setup"),
    path(
        "account/two-factor/backup-codes/",
        account_views.backup_codes_regenerate,
        name="backup-codes",
    ),
    path("account/two-factor/remove/", account_views.two_factor_remove, name="two-factor-remove"),
    path("account/sessions/<uuid:session_id>/end/", account_views.session_end, name="session-end"),
    path(
        "account/sessions/end-others/",
        account_views.sessions_end_others,
        name="sessions-end-others",
    ),
    path("password-reset/", account_views.reset_request, name="password-reset"),
    path(
        "password-reset/<uuid:user_id>/<str:token>/",
        account_views.reset_confirm,
        name="password-reset-confirm",
    ),
]
