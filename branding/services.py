"""Theme writes."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from audit.choices import AuditAction
from audit.services import audit_record, changes_between, snapshot
from branding.choices import Font
from branding.contrast import HEX_RE, ContrastWarning, theme_contrast_warnings
from branding.errors import ThemeError
from branding.models import Theme
from sso.policies import require_supplier_admin

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_SIDE = 4000
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
AUDITED_FIELDS = (
    "display_name",
    "primary_color",
    "accent_color",
    "font",
    "login_headline",
    "login_message",
    "logo",
)


def theme_create_default(*, display_name: str) -> Theme:
    """The first theme of a new portal (provisioning calls this inside its transaction)."""
    return Theme.objects.create(display_name=display_name)


def _check_logo(logo: UploadedFile) -> str:
    if logo.size is not None and logo.size > MAX_LOGO_BYTES:
        raise ThemeError(
            "logo_too_large",
            f"The logo is {logo.size / 1024 / 1024:.1f} MB; upload one of at most 2 MB.",
            field="logo",
        )
    try:
        with Image.open(logo) as image:
            image.verify()
            fmt = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ThemeError(
            "logo_unreadable",
            "The logo is not a readable image. Upload a PNG, JPEG or WebP file.",
            field="logo",
        ) from exc
    if fmt not in LOGO_FORMATS:
        raise ThemeError(
            "logo_format",
            f"Logos must be PNG, JPEG or WebP; this file is {fmt or 'of an unknown type'}.",
            field="logo",
        )
    if max(width, height) > MAX_LOGO_SIDE:
        raise ThemeError(
            "logo_dimensions",
            f"The logo is {width}×{height} pixels; keep each side under {MAX_LOGO_SIDE}.",
            field="logo",
        )
    logo.seek(0)
    return LOGO_FORMATS[fmt]


def theme_validate(
    *, display_name: str, primary_color: str, accent_color: str, font: str
) -> list[ContrastWarning]:
    """Refuse values that cannot be used; return contrast warnings (allowed, but flagged)."""
    if not display_name.strip():
        raise ThemeError(
            "display_name_required",
            "Give the portal a name buyers will recognise.",
            field="display_name",
        )
    for field, value in (("primary_color", primary_color), ("accent_color", accent_color)):
        if not HEX_RE.match(value):
            raise ThemeError(
                "bad_colour",
                f"{value!r} is not a colour. Use six hex digits after #, like #1f4e79.",
                field=field,
            )
    if font not in Font.values:
        raise ThemeError("bad_font", "Choose one of the offered fonts.", field="font")
    return theme_contrast_warnings(primary=primary_color, accent=accent_color)


def theme_update(
    *,
    actor: Any,
    display_name: str,
    primary_color: str,
    accent_color: str,
    font: str,
    login_headline: str = "",
    login_message: str = "",
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> tuple[Theme, list[ContrastWarning]]:
    """Change the portal's look. Only supplier administrators may; audited with before/after."""
    require_supplier_admin(actor)
    primary_color, accent_color = primary_color.lower(), accent_color.lower()
    warnings = theme_validate(
        display_name=display_name,
        primary_color=primary_color,
        accent_color=accent_color,
        font=font,
    )
    extension = _check_logo(logo) if logo is not None else None
    with transaction.atomic():
        theme = Theme.objects.select_for_update().get(singleton=True)
        before = snapshot(theme, AUDITED_FIELDS[:-1]) | {"logo": theme.logo.name or ""}
        theme.display_name = display_name.strip()
        theme.primary_color = primary_color
        theme.accent_color = accent_color
        theme.font = font
        theme.login_headline = login_headline.strip()
        theme.login_message = login_message.strip()
        theme.revision += 1
        if remove_logo:
            theme.logo = ""
        if logo is not None and extension is not None:
            theme.logo.save(f"logo.{extension}", logo, save=False)
        theme.save()
        after = snapshot(theme, AUDITED_FIELDS[:-1]) | {"logo": theme.logo.name or ""}
        changes = changes_between(before, after)
        if changes:
            audit_record(action=AuditAction.THEME_CHANGED, actor=actor, obj=theme, changes=changes)
    return theme, warnings
