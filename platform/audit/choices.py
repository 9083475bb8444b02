"""Audit actions, as stable dotted codes, with the plain words shown to people."""

from django.db import models


class AuditAction(models.TextChoices):
    TENANT_SIGNED_UP = "tenant.signed_up", "Supplier signed up"
    TENANT_PROVISIONED = "tenant.provisioned", "Portal provisioned"
    TENANT_SUSPENDED = "tenant.suspended", "Portal suspended"
    TENANT_REACTIVATED = "tenant.reactivated", "Portal reactivated"
    TENANT_ARCHIVED = "tenant.archived", "Portal archived"
    LOGIN = "auth.login", "Signed in"
    LOGIN_FAILED = "auth.login_failed", "Failed sign-in"
    LOGOUT = "auth.logout", "Signed out"
    LOGIN_PASSWORD_OK = "auth.password_verified", "Password accepted, second step asked"
    TOTP_ENROLLED = "auth.totp_enrolled", "Two-factor sign-in set up"
    TOTP_REMOVED = "auth.totp_removed", "Two-factor sign-in removed"
    TOTP_RESET = "auth.totp_reset", "Two-factor sign-in reset by an administrator"
    BACKUP_CODES_REGENERATED = "auth.backup_codes_regenerated", "New backup codes made"
    SESSION_ENDED = "auth.session_ended", "Session ended"
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested", "Password reset asked for"
    PASSWORD_RESET = "auth.password_reset", "Password reset"
    USER_CREATED = "user.created", "User created"
    THEME_CHANGED = "theme.changed", "Portal theme changed"
    API_KEY_CREATED = "api_key.created", "API key created"
    API_KEY_REVOKED = "api_key.revoked", "API key revoked"
    OUTBOX_REPLAYED = "outbox.replayed", "Outbox message replayed"


class ActorKind(models.TextChoices):
    USER = "user", "User"
    OPERATOR = "operator", "Platform operator"
    API_KEY = "api_key", "API key"
    SYSTEM = "system", "System"
