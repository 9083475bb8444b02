from typing import Any

from django.http import HttpRequest

from branding.selectors import theme_for_current_tenant


def theme(request: HttpRequest) -> dict[str, Any]:
    return {"theme": theme_for_current_tenant(), "tenant": getattr(request, "tenant", None)}
