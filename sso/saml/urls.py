"""SAML routes: the public SP endpoints under ``/sso/saml/`` and the back-office pages under
``/backoffice/sso/`` (both included by ``control_plane.urls_tenant``)."""

from django.urls import path

from sso.saml import views

sp_urlpatterns = (
    [
        path("discover/", views.discover, name="discover"),
        path("<str:public_id>/metadata/", views.metadata, name="metadata"),
        path("<str:public_id>/acs/", views.acs, name="acs"),
        path("<str:public_id>/acs/confirm/", views.idp_confirm, name="idp-confirm"),
    ],
    "saml-sp",
)

backoffice_urlpatterns = (
    [
        path("", views.connection_list, name="list"),
        path("new/", views.connection_create, name="create"),
        path("<str:public_id>/", views.connection_detail, name="detail"),
        path("<str:public_id>/edit/", views.connection_edit, name="edit"),
        path("<str:public_id>/delete/", views.connection_delete, name="delete"),
        path("<str:public_id>/test/", views.connection_test, name="test"),
    ],
    "saml",
)
