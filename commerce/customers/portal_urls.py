"""Buyer-portal pages of the customers domain, mounted at /."""

from django.urls import path

from commerce.customers import portal_views as views

app_name = "customers-portal"

urlpatterns = [
    path("company/", views.company_home, name="company"),
    path("company/addresses/new/", views.address_create, name="address-create"),
    path("company/addresses/<uuid:address_id>/", views.address_edit, name="address-edit"),
    path(
        "company/addresses/<uuid:address_id>/deactivate/",
        views.address_deactivate,
        name="address-deactivate",
    ),
    path("company/cost-centres/new/", views.cost_centre_create, name="cost-centre-create"),
    path("company/cost-centres/<uuid:centre_id>/", views.cost_centre_edit, name="cost-centre-edit"),
    path(
        "company/cost-centres/<uuid:centre_id>/deactivate/",
        views.cost_centre_deactivate,
        name="cost-centre-deactivate",
    ),
    path("company/team/", views.team, name="team"),
    path("company/team/<uuid:member_id>/role/", views.member_role, name="member-role"),
    path(
        "company/team/<uuid:member_id>/deactivate/",
        views.member_deactivate,
        name="member-deactivate",
    ),
    path(
        "company/team/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "company/team/invitations/<uuid:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
    path("company/security-log/", views.security_log, name="security-log"),
    path("company/team/<uuid:member_id>/sessions/", views.member_sessions, name="member-sessions"),
    path(
        "company/team/<uuid:member_id>/sessions/end/",
        views.member_sessions_end,
        name="member-sessions-end",
    ),
    path(
        "company/team/<uuid:member_id>/two-factor/reset/",
        views.member_two_factor_reset,
        name="member-two-factor-reset",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
