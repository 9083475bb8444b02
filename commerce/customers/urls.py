"""Back-office customer pages, mounted at /backoffice/companies/."""

from django.urls import path

from commerce.customers import views

app_name = "customers-backoffice"

C = "<uuid:company_id>/"

urlpatterns = [
    path("", views.company_list, name="list"),
    path("export.csv", views.company_export, name="export"),
    path("new/", views.company_create, name="create"),
    path(C, views.company_page, name="detail"),
    path(C + "edit/", views.company_edit, name="edit"),
    path(C + "addresses/new/", views.address_create, name="address-create"),
    path(C + "addresses/<uuid:address_id>/", views.address_edit, name="address-edit"),
    path(
        C + "addresses/<uuid:address_id>/deactivate/",
        views.address_deactivate,
        name="address-deactivate",
    ),
    path(C + "cost-centres/new/", views.cost_centre_create, name="cost-centre-create"),
    path(C + "cost-centres/<uuid:centre_id>/", views.cost_centre_edit, name="cost-centre-edit"),
    path(
        C + "cost-centres/<uuid:centre_id>/deactivate/",
        views.cost_centre_deactivate,
        name="cost-centre-deactivate",
    ),
    path(C + "members/invite/", views.member_invite, name="member-invite"),
    path(C + "members/<uuid:member_id>/role/", views.member_role, name="member-role"),
    path(
        C + "members/<uuid:member_id>/deactivate/",
        views.member_deactivate,
        name="member-deactivate",
    ),
    path(
        C + "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        C + "invitations/<uuid:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
]
