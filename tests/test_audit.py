"""The audit log: append-only at the database, hash-chained, and fed by the first events."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from audit.selectors import audit_verify_chain
from audit.services import audit_record
from conftest import TEST_PASSWORD


def _write_entries(n: int) -> list[AuditEntry]:
    return [
        audit_record(
            action="test.event", object_type="x", object_id=str(i), changes={"n": [i, i + 1]}
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("schema", ["public", "t_alpha"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET action = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ],
)
def test_trigger_refuses_update_and_delete(tenants, schema, statement):
    with schema_context(schema):
        entry = _write_entries(1)[0]
        with (
            pytest.raises(DatabaseError, match="the audit log is append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.id])
        entry_after = AuditEntry.objects.get(id=entry.id)
        assert (entry_after.action, entry_after.hash) == ("test.event", entry.hash)


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_verifier_names_the_edited_entry(alpha, capsys):
    with schema_context(alpha.schema):
        entries = _write_entries(4)
        assert audit_verify_chain().ok
        _tamper(
            "UPDATE audit_auditentry SET changes = '{\"n\": [0, 99]}' WHERE id = %s",
            [entries[2].id],
        )

        report = audit_verify_chain()
        assert (report.broken_entry_id, report.broken_public_id) == (
            entries[2].id,
            str(entries[2].public_id),
        )
        assert report.reason == "its content does not match its hash (the entry was edited)"
    with pytest.raises(CommandError, match="audit chain broken in: t_alpha"):
        call_command("audit_verify", schema="t_alpha")
    out = capsys.readouterr().out
    assert f"t_alpha: BROKEN at entry {entries[2].id} ({entries[2].public_id})" in out


def test_verifier_names_the_entry_after_a_removed_one(alpha):
    with schema_context(alpha.schema):
        entries = _write_entries(3)
        _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].id])
        report = audit_verify_chain()
        assert report.broken_entry_id == entries[2].id
        assert report.reason.startswith("its link to the previous entry is broken")


def test_intact_chains_verify_everywhere(tenants, capsys):
    call_command("audit_verify", all=True)
    out = capsys.readouterr().out
    assert "public: OK" in out and "t_alpha: OK" in out and "t_beta: OK" in out


def test_login_failed_login_and_logout_are_audited_with_who_and_where(alpha):
    client = alpha.client(HTTP_USER_AGENT="Probe/1.0", REMOTE_ADDR="203.0.113.9")
    with schema_context(alpha.schema):
        last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    bad = client.post("/login/", {"email": "admin@alpha.test", "password": "wrong-password-1"})
    assert bad.status_code == 400
    assert "do not match an account on this portal" in bad.content.decode()
    client.post("/login/", {"email": "admin@alpha.test", "password": TEST_PASSWORD})
    client.post("/logout/")

    with schema_context(alpha.schema):
        rows = list(
            AuditEntry.objects.filter(id__gt=last)
            .order_by("id")
            .values("action", "actor_label", "actor_kind", "ip", "user_agent", "details")
        )
    assert rows == [
        {
            "action": "auth.login_failed",
            "actor_label": "admin@alpha.test",
            "actor_kind": "system",
            "ip": "203.0.113.9",
            "user_agent": "Probe/1.0",
            "details": {"method": "password", "reason": "bad_credentials"},
        },
        {
            "action": "auth.login",
            "actor_label": "admin@alpha.test",
            "actor_kind": "user",
            "ip": "203.0.113.9",
            "user_agent": "Probe/1.0",
            "details": {"method": "password"},
        },
        {
            "action": "auth.logout",
            "actor_label": "admin@alpha.test",
            "actor_kind": "user",
            "ip": "203.0.113.9",
            "user_agent": "Probe/1.0",
            "details": {},
        },
    ]


def test_correlation_id_travels_from_the_request_to_the_entry(alpha):
    client = alpha.client(HTTP_X_CORRELATION_ID="req-abcdef123456")
    response = client.post("/login/", {"email": "admin@alpha.test", "password": TEST_PASSWORD})
    assert response["X-Correlation-Id"] == "req-abcdef123456"
    with schema_context(alpha.schema):
        entry = AuditEntry.objects.order_by("-id").first()
        assert (entry.action, entry.correlation_id) == ("auth.login", "req-abcdef123456")


def test_changes_are_shown_in_plain_words_without_empty_noise():
    from audit.templatetags.audit_tags import readable_changes

    assert readable_changes(
        {
            "billing_postcode": ["10115", "20095"],
            "price_lists": [None, ["Gold", "Silver"]],
            "hold_reason": [None, ""],
            "account_manager_id": [None, 7],
            "assortment_restricted": [False, True],
        }
    ) == [
        ("Billing postcode", "10115", "20095"),
        ("Price lists", "—", "Gold, Silver"),
        ("Account manager", "—", "7"),
        ("Assortment restricted", "no", "yes"),
    ]
