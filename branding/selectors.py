"""Reading the current portal's theme."""

from __future__ import annotations

from dataclasses import dataclass

from branding.choices import DEFAULT_ACCENT, DEFAULT_PRIMARY, FONT_STACKS, Font
from branding.contrast import parse_hex
from branding.models import Theme
from core.snapshots import snapshot
from core.tenancy import current_schema


@dataclass(frozen=True)
class ThemeView:
    """What templates need to draw the theme (the same shape for the platform's own look)."""

    display_name: str
    logo_url: str
    primary_color: str
    accent_color: str
    font_stack: str
    login_headline: str
    login_message: str
    revision: int

    @property
    def primary_rgb(self) -> str:
        return ", ".join(str(c) for c in parse_hex(self.primary_color))

    @property
    def accent_rgb(self) -> str:
        return ", ".join(str(c) for c in parse_hex(self.accent_color))


PLATFORM_THEME = ThemeView(
    display_name="Portico",
    logo_url="",
    primary_color=DEFAULT_PRIMARY,
    accent_color=DEFAULT_ACCENT,
    font_stack=FONT_STACKS[Font.SYSTEM],
    login_headline="",
    login_message="",
    revision=1,
)


def theme_view(theme: Theme) -> ThemeView:
    return ThemeView(
        display_name=theme.display_name,
        logo_url=f"{theme.logo.url}?v={theme.revision}" if theme.logo else "",
        primary_color=theme.primary_color,
        accent_color=theme.accent_color,
        font_stack=theme.font_stack,
        login_headline=theme.login_headline,
        login_message=theme.login_message,
        revision=theme.revision,
    )


def theme_for_current_tenant() -> ThemeView:
    """The theme of the schema in force; the platform's own look on the control plane."""
    if current_schema() == "public":
        return PLATFORM_THEME
    return snapshot("theme", _load_theme_view)


def _load_theme_view() -> ThemeView:
    theme = Theme.objects.filter(singleton=True).first()
    return theme_view(theme) if theme is not None else PLATFORM_THEME
