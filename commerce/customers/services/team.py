"""Team writes: invitations (create, resend, revoke, accept) and members (role, deactivate)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record, changes_between, snapshot
from commerce.customers.choices import ORDERING_ROLES, MemberRole
from commerce.customers.errors import CustomerError, InvitationUnusable, TeamRuleBroken
from commerce.customers.models import Company, Invitation, Membership
from commerce.customers.policies import is_staff, require_company_manager
from commerce.customers.services.common import (
    INVITATION_DAYS,
    CustomerAction,
    audit_details,
    parse_money,
    parse_optional_money,
    problem,
    raise_if,
)
from core.errors import DomainError
from outbox.services import outbox_enqueue
from sso.choices import UserKind
from sso.services.sessions import user_sessions_end_all

# --- Members and invitations ------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_role(role: str, approval_limit: Any, problems: list[CustomerError]) -> Decimal | None:
    if role not in MemberRole.values:
        labels = ", ".join(str(label) for label in MemberRole.labels)
        problems.append(problem("role_unknown", f"Choose one of the roles: {labels}.", "role"))
        return None
    blank = approval_limit is None or str(approval_limit).strip() == ""
    if role != MemberRole.APPROVER:
        if not blank:
            problems.append(
                problem(
                    "approval_limit_unexpected",
                    "Only approvers have an amount limit: clear it or choose the approver role.",
                    "approval_limit",
                )
            )
        return None
    if blank:
        problems.append(
            problem(
                "approval_limit_required",
                "Set the amount up to which this approver may approve orders, for example 5000.",
                "approval_limit",
            )
        )
        return None
    limit, money_problem = parse_money(approval_limit, "approval_limit", "Approval limit")
    if money_problem:
        problems.append(money_problem)
    return limit


def _send_invitation(invitation: Invitation, token: str, portal_url: str, inviter: Any) -> None:
    link = f"{portal_url.rstrip('/')}/invitations/{token}/"
    outbox_enqueue(
        kind="email",
        payload={
            "template": "invitation",
            "to": [invitation.email],
            "subject": f"You are invited to order for {invitation.company.name}",
            "context": {
                "name": invitation.full_name,
                "company": invitation.company.name,
                "inviter": getattr(inviter, "full_name", "") or str(inviter),
                "role": MemberRole(invitation.role).label,
                "email": invitation.email,
                "link": link,
                "expires": f"{invitation.expires_at:%d %b %Y}",
            },
        },
    )


def _check_invitee(company: Company, email: str, problems: list[CustomerError]) -> None:
    user_model = get_user_model()
    if user_model.objects.filter(email=email).exists():
        problems.append(
            problem("email_taken", f"There is already an account for {email} here.", "email")
        )
    elif Invitation.objects.filter(
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists():
        problems.append(
            problem(
                "already_invited",
                f"{email} already has a pending invitation; send that one again instead.",
                "email",
            )
        )


def invitation_create(
    *,
    actor: Any,
    company: Company,
    email: str,
    role: str,
    portal_url: str,
    full_name: str = "",
    approval_limit: Any = None,
) -> tuple[Invitation, str]:
    """Invite someone to join ``company`` with a buyer-side role. Stores only the SHA-256 of
    a random token; the link (built on ``portal_url``, the portal's primary address) is e-mailed
    through the outbox and expires in seven days. Returns the invitation and the token."""
    require_company_manager(actor, company.pk)
    email = email.strip().lower()
    with transaction.atomic():
        problems: list[CustomerError] = []
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                problem("email_invalid", "Enter an e-mail address like name@company.com.", "email")
            )
        else:
            _check_invitee(company, email, problems)
        limit = _check_role(role, approval_limit, problems)
        raise_if(problems)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            company=company,
            email=email,
            full_name=full_name.strip()[:150],
            role=role,
            approval_limit=limit,
            token_hash=_token_hash(token),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        audit_record(
            action=CustomerAction.MEMBER_INVITED,
            actor=actor,
            obj=invitation,
            details=audit_details(company, email=email, role=role),
        )
        _send_invitation(invitation, token, portal_url, actor)
    return invitation, token


def _lock_pending(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().select_related("company").get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvitationUnusable(
            "invitation_accepted",
            f"{locked.email} already accepted this invitation; manage them as a member instead.",
        )
    if locked.revoked_at is not None:
        raise InvitationUnusable(
            "invitation_revoked", "This invitation was withdrawn; invite the person again."
        )
    return locked


def invitation_resend(*, actor: Any, invitation: Invitation, portal_url: str) -> str:
    """Send a pending (or expired) invitation again with a new link valid for seven days; the
    previous link stops working. Returns the new token."""
    require_company_manager(actor, invitation.company_id)
    with transaction.atomic():
        locked = _lock_pending(invitation)
        token = secrets.token_urlsafe(32)
        locked.token_hash = _token_hash(token)
        locked.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
        locked.save(update_fields=["token_hash", "expires_at"])
        audit_record(
            action=CustomerAction.INVITATION_RESENT,
            actor=actor,
            obj=locked,
            details=audit_details(locked.company, email=locked.email),
        )
        _send_invitation(locked, token, portal_url, actor)
    return token


def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    require_company_manager(actor, invitation.company_id)
    with transaction.atomic():
        locked = _lock_pending(invitation)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            action=CustomerAction.INVITATION_REVOKED,
            actor=actor,
            obj=locked,
            details=audit_details(locked.company, email=locked.email),
        )
    return locked


def invitation_usable(token: str, *, lock: bool = False) -> Invitation:
    """The pending invitation a link's token stands for, or ``InvitationUnusable`` saying why
    the link does not work (unknown, used, withdrawn, expired)."""
    qs = Invitation.objects.select_related("company")
    if lock:
        qs = qs.select_for_update()
    invitation = qs.filter(token_hash=_token_hash(token)).first()
    if invitation is None:
        raise InvitationUnusable(
            "invitation_unknown",
            "This invitation link is not valid. Check that you opened the whole link from the "
            "e-mail, or ask for a new invitation.",
        )
    if invitation.accepted_at is not None:
        raise InvitationUnusable(
            "invitation_used",
            "This invitation was already used. Sign in with your e-mail and password.",
        )
    if invitation.revoked_at is not None:
        raise InvitationUnusable(
            "invitation_revoked",
            "This invitation was withdrawn. Ask your contact for a new one.",
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable(
            "invitation_expired",
            f"This invitation expired on {invitation.expires_at:%d %b %Y}. "
            "Ask your contact to send it again.",
        )
    return invitation


def invitation_accept(*, token: str, full_name: str, password: str) -> Membership:
    """Turn a pending invitation into a buyer account and its membership, in one transaction;
    the invitation is used up. Nothing is created when any check fails."""
    from sso.services import user_create

    with transaction.atomic():
        invitation = invitation_usable(token, lock=True)
        if get_user_model().objects.filter(email=invitation.email).exists():
            raise InvitationUnusable(
                "email_taken",
                f"There is already an account for {invitation.email} on this portal. Sign in "
                "with it, or ask for an invitation to another e-mail address.",
            )
        if not full_name.strip():
            raise CustomerError("name_required", "Enter your full name.", field="full_name")
        try:
            user = user_create(
                actor=None,
                email=invitation.email,
                full_name=full_name,
                password=password,
                kind=UserKind.BUYER,
            )
        except DomainError as exc:
            raise CustomerError(exc.code, exc.message, field=exc.field) from exc
        membership = Membership.objects.create(
            user=user,
            company=invitation.company,
            role=invitation.role,
            approval_limit=invitation.approval_limit,
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit_record(
            action=CustomerAction.MEMBER_JOINED,
            actor=user,
            obj=membership,
            details=audit_details(
                invitation.company,
                invitation=str(invitation.public_id),
                role=membership.role,
            ),
        )
    return membership


def member_provision(*, company: Company, email: str, full_name: str, role: str) -> Membership:
    """Create a buyer account and its membership in ``company`` without an invitation, for an
    identity that the company's own SAML identity provider has just vouched for (JIT
    provisioning, called by ``sso.saml`` after the assertion was checked). No password is set;
    an approver starts with a limit of 0 until a company admin sets one."""
    from sso.services import user_create

    if role not in MemberRole.values:
        raise CustomerError("role_unknown", "Choose one of the buyer roles.", field="role")
    with transaction.atomic():
        user = user_create(
            actor=None, email=email, full_name=full_name, password=None, kind=UserKind.BUYER
        )
        membership = Membership.objects.create(
            user=user,
            company=company,
            role=role,
            approval_limit=Decimal("0") if role == MemberRole.APPROVER else None,
        )
        audit_record(
            action=CustomerAction.MEMBER_JOINED,
            actor=user,
            obj=membership,
            details=audit_details(company, source="saml", role=role),
        )
    return membership


def _other_active_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(
            company_id=membership.company_id,
            role=MemberRole.COMPANY_ADMIN,
            user__is_active=True,
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _check_not_self(actor: Any, membership: Membership, what: str) -> None:
    if membership.user_id == getattr(actor, "pk", None):
        raise TeamRuleBroken(
            "own_membership", f"You cannot {what} yourself; ask another company admin."
        )


KEEP: Any = object()  # ``member_change_role(order_limit=KEEP)``: leave the limit as it is


def _check_order_limit(
    role: str, order_limit: Any, current: Decimal | None, problems: list[CustomerError]
) -> Decimal | None:
    """The member's own per-order limit for ``role``: members who do not order have none."""
    if order_limit is KEEP:
        return current if role in ORDERING_ROLES else None
    blank = order_limit is None or str(order_limit).strip() == ""
    if role not in ORDERING_ROLES:
        if not blank:
            problems.append(
                problem(
                    "order_limit_unexpected",
                    "Only members who order have an order limit: clear it or choose buyer, "
                    "approver or company admin.",
                    "order_limit",
                )
            )
        return None
    limit, money_problem = parse_optional_money(
        order_limit,
        "order_limit",
        "Order limit",
        negative="The order limit cannot be negative: leave it empty for no limit of their "
        "own, or enter 0 so every order they place needs an approver.",
    )
    if money_problem:
        problems.append(money_problem)
    return limit


def member_change_role(
    *,
    actor: Any,
    membership: Membership,
    role: str,
    approval_limit: Any = None,
    order_limit: Any = KEEP,
) -> Membership:
    """Give a member another buyer-side role (approvers with an amount limit) and, for members
    who order, their own per-order limit (above it, their orders need an approver; empty: no
    limit of their own; ``KEEP``, the default: unchanged). Nobody changes their own role, and
    a company keeps at least one active company admin."""
    require_company_manager(actor, membership.company_id)
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=membership.company_id).first()
        locked = (
            Membership.objects.select_for_update()
            .select_related("user", "company")
            .get(pk=membership.pk)
        )
        _check_not_self(actor, locked, "change the role of")
        problems: list[CustomerError] = []
        limit = _check_role(role, approval_limit, problems)
        own_limit = _check_order_limit(role, order_limit, locked.order_limit, problems)
        raise_if(problems)
        if (
            locked.role == MemberRole.COMPANY_ADMIN
            and role != MemberRole.COMPANY_ADMIN
            and locked.user.is_active
            and not _other_active_admins(locked)
        ):
            raise TeamRuleBroken(
                "last_company_admin",
                f"{locked.user.email} is the company's last admin; make someone else company "
                "admin first.",
            )
        fields = ("role", "approval_limit", "order_limit")
        before = snapshot(locked, fields)
        locked.role, locked.approval_limit, locked.order_limit = role, limit, own_limit
        after = snapshot(locked, fields)
        if before != after:
            locked.save(update_fields=list(fields))
            audit_record(
                action=CustomerAction.MEMBER_ROLE_CHANGED,
                actor=actor,
                obj=locked,
                changes=changes_between(before, after),
                details=audit_details(locked.company, email=locked.user.email),
            )
    return locked


def member_deactivate(*, actor: Any, membership: Membership) -> Membership:
    """Stop a member from signing in (``user.is_active = False``); their history stays.

    Company admins cannot deactivate themselves or the last active company admin. Supplier
    staff may deactivate anyone (cutting off access must always be possible)."""
    require_company_manager(actor, membership.company_id)
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=membership.company_id).first()
        locked = Membership.objects.select_related("user", "company").get(pk=membership.pk)
        user = get_user_model().objects.select_for_update().get(pk=locked.user_id)
        if not user.is_active:
            return locked
        if not is_staff(actor):
            _check_not_self(actor, locked, "deactivate")
            if locked.role == MemberRole.COMPANY_ADMIN and not _other_active_admins(locked):
                raise TeamRuleBroken(
                    "last_company_admin",
                    f"{user.email} is the company's last admin; make someone else company "
                    "admin first.",
                )
        user.is_active = False
        user.save(update_fields=["is_active"])
        user_sessions_end_all(actor=actor, user=user, reason="deactivated")
        locked.user = user
        audit_record(
            action=CustomerAction.MEMBER_DEACTIVATED,
            actor=actor,
            obj=locked,
            changes={"is_active": [True, False]},
            details=audit_details(locked.company, email=user.email),
        )
    return locked
