"""Theming: the admin's page, the live preview, contrast warnings, logo checks, audit."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from audit.models import AuditEntry
from branding.contrast import contrast_ratio, theme_contrast_warnings
from branding.models import Theme
from conftest import TEST_PASSWORD
from sso.services import user_create

FORM = {
    "display_name": "Alpha Supplies",
    "primary_color": "#7a1f5c",
    "accent_color": "#0f5e59",
    "font": "serif",
    "login_headline": "Welcome, buyers",
    "login_message": "Order by 4pm.",
}


def png(width=64, height=32, fmt="PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#7a1f5c").save(buffer, format=fmt)
    return SimpleUploadedFile(f"logo.{fmt.lower()}", buffer.getvalue())


@pytest.fixture
def admin_client(alpha):
    client = alpha.client()
    client.post("/login/", {"email": "admin@alpha.test", "password": TEST_PASSWORD})
    return client


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),
    ],
)
def test_contrast_ratio_follows_wcag(a, b, ratio):
    assert round(contrast_ratio(a, b), 2) == ratio


def test_contrast_warnings_name_the_colour_and_the_fix():
    assert theme_contrast_warnings(primary="#1f4e79", accent="#0f766e") == []
    [warning] = theme_contrast_warnings(primary="#f0e68c", accent="#0f766e")
    assert warning.field == "primary_color"
    assert warning.message == (
        "White button and header text on #f0e68c have a contrast of 1.28:1; "
        "WCAG AA asks for at least 4.5:1. Choose a darker colour so everyone can read it."
    )


def test_admin_saves_theme_and_the_login_page_wears_it(admin_client, alpha, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    response = admin_client.post("/backoffice/theme/", {**FORM, "logo": png()})
    assert response.status_code == 302
    with schema_context(alpha.schema):
        theme = Theme.objects.get()
        assert (theme.primary_color, theme.font, theme.revision) == ("#7a1f5c", "serif", 2)
        assert theme.logo.name == f"tenants/t_alpha/branding/logo-{theme.pk}-2.png"
        entry = AuditEntry.objects.filter(action="theme.changed").latest("id")
        assert entry.changes["primary_color"] == ["#1f4e79", "#7a1f5c"]
        assert entry.changes["logo"] == ["", theme.logo.name]
    assert (tmp_path / theme.logo.name).is_file()

    login = alpha.client().get("/login/").content.decode()
    assert "--portico-primary: #7a1f5c;" in login
    assert "Welcome, buyers" in login and "Order by 4pm." in login
    assert f'src="/media/{theme.logo.name}?v=2"' in login
    logo = alpha.client().get(f"/media/{theme.logo.name}")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"


def test_another_tenant_cannot_read_the_logo(admin_client, alpha, beta, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    admin_client.post("/backoffice/theme/", {**FORM, "logo": png()})
    with schema_context(alpha.schema):
        name = Theme.objects.get().logo.name
    assert beta.client().get(f"/media/{name}").status_code == 404
    assert beta.client().get("/media/../" + name).status_code == 404


def test_low_contrast_is_saved_with_a_warning(admin_client, alpha):
    response = admin_client.post("/backoffice/theme/", {**FORM, "primary_color": "#f0e68c"})
    assert response.status_code == 200
    assert [w.field for w in response.context["warnings"]] == ["primary_color"]
    assert "Contrast warning." in response.content.decode()
    with schema_context(alpha.schema):
        assert Theme.objects.get().primary_color == "#f0e68c"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"primary_color": "red"},
            "primary_color",
            "'red' is not a colour. Use six hex digits after #, like #1f4e79.",
        ),
        ({"display_name": " "}, "display_name", "Give the portal a name buyers will recognise."),
        (
            {"logo": SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>")},
            "logo",
            "Upload a valid image. The file you uploaded was either not an image or a corrupted image.",
        ),
        ({"logo": png(fmt="GIF")}, "logo", "Logos must be PNG, JPEG or WebP; this file is GIF."),
        ({"logo": png(4200, 10)}, "logo", "The logo is 4200×10 pixels; keep each side under 4000."),
    ],
)
def test_bad_theme_input_is_refused_with_a_specific_message(
    admin_client, alpha, changes, field, message
):
    response = admin_client.post("/backoffice/theme/", {**FORM, **changes})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    with schema_context(alpha.schema):
        theme = Theme.objects.get()
        assert (theme.primary_color, theme.revision) == ("#1f4e79", 1)
        assert not AuditEntry.objects.filter(action="theme.changed").exists()


def test_live_preview_renders_unsaved_values(admin_client, alpha):
    response = admin_client.post("/backoffice/theme/preview", {**FORM, "primary_color": "#f0e68c"})
    body = response.content.decode()
    assert "--preview-primary: #f0e68c;" in body
    assert "Contrast warning." in body
    with schema_context(alpha.schema):
        assert Theme.objects.get().revision == 1


def test_only_supplier_admins_change_the_theme(alpha):
    with schema_context(alpha.schema):
        user_create(
            actor=alpha.admin,
            email="val@alpha.test",
            full_name="Val",
            password=TEST_PASSWORD,
            kind="staff",
            staff_role="validator",
        )
    client = alpha.client()
    client.post("/login/", {"email": "val@alpha.test", "password": TEST_PASSWORD})
    assert client.get("/backoffice/").status_code == 200
    assert client.get("/backoffice/theme/").status_code == 403
    assert client.post("/backoffice/theme/", FORM).status_code == 403
    with schema_context(alpha.schema):
        assert Theme.objects.get().revision == 1
