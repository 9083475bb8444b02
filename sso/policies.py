"""Who may do what in identity and back-office matters; used by pages and API alike."""

from __future__ import annotations

from typing import Any

from core.errors import PermissionDenied


def require_supplier_admin(actor: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_supplier_admin):
        raise PermissionDenied("Only the portal's administrators can do this.")


def require_operator(actor: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_operator):
        raise PermissionDenied("Only platform operators can do this.")


def is_supplier_staff(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.kind == "staff")


def _company_admin_company(actor: Any) -> int | None:
    """The company id of a company admin, else None (no import of commerce: sso is below it)."""
    membership = getattr(actor, "membership", None) if actor.kind == "buyer" else None
    if membership is not None and membership.role == "company_admin":
        return int(membership.company_id)
    return None


def require_session_manager(actor: Any, target: Any) -> None:
    """Who may see and end ``target``'s sessions: the portal's administrators (anyone of the
    portal), a company admin (members of their own company: others are "not found")."""
    from core.errors import NotFound

    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in first.")
    if actor.is_supplier_admin:
        return
    company_id = _company_admin_company(actor)
    if company_id is None:
        raise PermissionDenied("Only administrators can end other people's sessions.")
    target_membership = getattr(target, "membership", None) if target.kind == "buyer" else None
    if target_membership is None or target_membership.company_id != company_id:
        raise NotFound()


def require_two_factor_resetter(actor: Any, target: Any) -> None:
    """Who may reset ``target``'s two-factor sign-in (for someone who lost both their phone and
    their backup codes): the portal's administrators (any staff member or buyer of the portal),
    a company admin (members of their own company: anyone else is "not found"). Nobody resets
    their own here: they remove it with their password. Operators have no such action."""
    from core.errors import NotFound

    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in first.")
    company_id = None if actor.is_supplier_admin else _company_admin_company(actor)
    if not actor.is_supplier_admin and company_id is None:
        raise PermissionDenied("Only administrators can reset someone's two-factor sign-in.")
    if actor.pk == target.pk:
        raise PermissionDenied(
            "You cannot reset your own two-factor sign-in. Remove it on your Sign-in and "
            "security page with your password, or ask another administrator."
        )
    if actor.is_supplier_admin:
        if target.kind not in ("staff", "buyer"):
            raise NotFound()
        return
    target_membership = getattr(target, "membership", None) if target.kind == "buyer" else None
    if target_membership is None or target_membership.company_id != company_id:
        raise NotFound()
