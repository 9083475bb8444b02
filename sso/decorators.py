"""Page guards. Anonymous → login page; signed in without the right → 403 page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from sso.policies import is_supplier_staff

View = Callable[..., HttpResponse]


def _guard(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect(f"/login/?next={request.path}")
            if not check(request.user):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


signed_in_required = _guard(lambda user: True)
staff_required = _guard(is_supplier_staff)
supplier_admin_required = _guard(lambda user: is_supplier_staff(user) and user.is_supplier_admin)
