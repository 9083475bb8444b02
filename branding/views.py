"""Theme page with live preview (supplier administrators)."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from branding import services
from branding.choices import FONT_STACKS, Font
from branding.contrast import ContrastWarning, theme_contrast_warnings
from branding.errors import ThemeError
from branding.forms import ThemeForm
from branding.models import Theme
from branding.selectors import theme_for_current_tenant
from sso.decorators import supplier_admin_required


def _initial(theme: Theme) -> dict[str, object]:
    return {
        "display_name": theme.display_name,
        "primary_color": theme.primary_color,
        "accent_color": theme.accent_color,
        "font": theme.font,
        "login_headline": theme.login_headline,
        "login_message": theme.login_message,
    }


@require_http_methods(["GET", "POST"])
@supplier_admin_required
def theme_edit(request: HttpRequest) -> HttpResponse:
    theme = Theme.objects.get(singleton=True)
    form = ThemeForm(request.POST or None, request.FILES or None, initial=_initial(theme))
    warnings: list[ContrastWarning] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _, warnings = services.theme_update(actor=request.user, **form.cleaned_data)
            except ThemeError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 400
            else:
                messages.success(request, "Your portal's theme is saved.")
                if not warnings:
                    return redirect("branding:theme")
                form = ThemeForm(initial=_initial(Theme.objects.get(singleton=True)))
        else:
            status = 400
    else:
        warnings = theme_contrast_warnings(primary=theme.primary_color, accent=theme.accent_color)
    return render(
        request,
        "backoffice/theme.html",
        {
            "form": form,
            "warnings": warnings,
            "preview": theme_for_current_tenant(),
        },
        status=status,
    )


@require_POST
@supplier_admin_required
def theme_preview(request: HttpRequest) -> HttpResponse:
    """htmx: re-render the preview pane (and contrast warnings) from the unsaved form values."""
    current = theme_for_current_tenant()
    primary = request.POST.get("primary_color", current.primary_color).lower()
    accent = request.POST.get("accent_color", current.accent_color).lower()
    font = request.POST.get("font", Font.SYSTEM)
    try:
        warnings = services.theme_validate(
            display_name=request.POST.get("display_name", "") or current.display_name,
            primary_color=primary,
            accent_color=accent,
            font=font,
        )
        error = ""
    except ThemeError as exc:
        warnings, error = [], exc.message
        primary, accent, font = current.primary_color, current.accent_color, Font.SYSTEM
    preview = replace(
        current,
        display_name=request.POST.get("display_name", "") or current.display_name,
        primary_color=primary,
        accent_color=accent,
        font_stack=FONT_STACKS.get(font, current.font_stack),
        login_headline=request.POST.get("login_headline", current.login_headline),
        login_message=request.POST.get("login_message", current.login_message),
    )
    return render(
        request,
        "backoffice/_theme_preview.html",
        {"preview": preview, "warnings": warnings, "error": error},
    )
