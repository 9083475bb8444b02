"""Users. A user lives in exactly one schema: operators in public, staff and buyers per tenant."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models

from sso.choices import StaffRole, UserKind


class UserManager(BaseUserManager["User"]):
    """Only used by Django's own tooling (e.g. ``createsuperuser``); the product creates users
    through ``sso.services``."""

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("kind", UserKind.OPERATOR)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in on one host. The e-mail is unique within its schema only.

    Guarantees: ``kind`` never changes; supplier staff carry a ``staff_role``; e-mails are
    stored lower-case.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=16, choices=UserKind.choices)
    staff_role = models.CharField(max_length=32, choices=StaffRole.choices, blank=True, default="")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django admin access only
    date_joined = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def audit_kind(self) -> str:
        return "operator" if self.kind == UserKind.OPERATOR else "user"

    @property
    def is_supplier_admin(self) -> bool:
        return self.kind == UserKind.STAFF and self.staff_role == StaffRole.ADMINISTRATOR

    @property
    def is_operator(self) -> bool:
        return self.kind == UserKind.OPERATOR


class LoginHandoff(models.Model):
    """A single-use, short-lived ticket that signs a user in on their portal's host.

    Used right after sign-up: the control plane cannot set a cookie for the tenant's host, so it
    hands the new administrator over with this ticket. Only the SHA-256 of the token is stored.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"handoff for {self.user_id}"


class UserSession(models.Model):
    """One signed-in session of a user on this host (this schema), for "your sessions" pages.

    Created when a sign-in completes (after the second factor when there is one); its
    ``last_seen_at`` is touched at most once a minute. Only the SHA-256 of the session key
    identifies it; the key itself is kept sealed (``sso.services.sessions``) so that ending the
    session can remove it from the session store. Deleting the row never signs anyone out by
    itself: ``sso.services.sessions.user_session_end`` does both.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    key_hash = models.CharField(max_length=64, unique=True)
    sealed_key = models.TextField()
    method = models.CharField(max_length=16)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "-last_seen_at"])]

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"
