"""The outbox in one process: side effects are written with the change that causes them, sent
after commit with their schema, delivered once, retried with growing jittered delays, dead-
lettered, and replayed by an operator (audited).

These tests run in the test's transaction (``db``); the real worker is in test_outbox_worker.py.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from outbox.handlers import UnknownKind
from outbox.models import OutboxMessage
from outbox.services import backoff_seconds, outbox_deliver, outbox_dispatch_due, outbox_enqueue
from outbox.tasks import sweep_all_schemas
from tests.support import broker
from tests.support.factories import OutboxMessageFactory, email_payload
from tests.support.smtp import free_port

DEFAULT_FROM = "Portico <no-reply@portico.localhost>"


@pytest.fixture
def new_broker_messages():
    """What the test queued in Redis (taken out again afterwards, so no worker ever sees it)."""
    before = {m.raw for m in broker.queued()}
    sent: list[broker.Queued] = []

    def collect() -> list[broker.Queued]:
        sent[:] = [m for m in broker.queued() if m.raw not in before]
        return list(sent)

    yield collect
    broker.remove(collect())


@pytest.fixture
def smtp_refusing(settings):
    """E-mail goes over SMTP to a port where nothing listens: every send fails."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 5
    settings.OUTBOX_BACKOFF_BASE = 0.2
    settings.OUTBOX_BACKOFF_CAP = 1.0
    settings.OUTBOX_MAX_ATTEMPTS = 3
    return settings


def row_state(message: OutboxMessage) -> tuple:
    message.refresh_from_db()
    return (
        message.status,
        message.attempts,
        message.last_error,
        message.delivered_at,
        message.next_attempt_at,
    )


def outbox_rows() -> list[tuple]:
    return list(
        OutboxMessage.objects.order_by("id").values_list(
            "id", "status", "attempts", "last_error", "next_attempt_at", "delivered_at"
        )
    )


# --- Backoff ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "cap", "attempts", "low", "high"),
    [
        (30.0, 3600.0, 1, 15.0, 30.0),
        (30.0, 3600.0, 2, 30.0, 60.0),
        (30.0, 3600.0, 3, 60.0, 120.0),
        (30.0, 3600.0, 7, 960.0, 1920.0),
        (30.0, 3600.0, 8, 1800.0, 3600.0),  # 30·2⁷ = 3840 is over the cap
        (30.0, 3600.0, 20, 1800.0, 3600.0),
        (0.2, 1.0, 1, 0.1, 0.2),
        (0.2, 1.0, 2, 0.2, 0.4),
        (0.2, 1.0, 3, 0.4, 0.8),
        (0.2, 1.0, 4, 0.5, 1.0),
    ],
)
def test_backoff_doubles_per_attempt_up_to_the_cap_with_jitter_in_the_upper_half(
    settings, base, cap, attempts, low, high
):
    settings.OUTBOX_BACKOFF_BASE = base
    settings.OUTBOX_BACKOFF_CAP = cap

    delays = [backoff_seconds(attempts) for _ in range(300)]

    assert all(low <= d <= high for d in delays), (min(delays), max(delays))
    # Jitter spreads the delays over the whole band (P(miss) < 1e-13 for 300 uniform draws).
    spread = high - low
    assert min(delays) < low + 0.1 * spread
    assert max(delays) > high - 0.1 * spread
    assert len(set(delays)) == 300


# --- Writing to the outbox --------------------------------------------------------------------


def test_a_committed_change_queues_one_delivery_that_carries_its_schema(
    alpha, django_capture_on_commit_callbacks, new_broker_messages
):
    with schema_context(alpha.schema):
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            message = outbox_enqueue(kind="email", payload=email_payload("bea@buyer.test"))
            assert new_broker_messages() == []  # nothing leaves before commit

        assert len(callbacks) == 1
        stored = OutboxMessage.objects.get(pk=message.pk)
        assert (
            stored.kind,
            stored.payload,
            stored.status,
            stored.attempts,
            stored.max_attempts,
        ) == ("email", email_payload("bea@buyer.test"), "pending", 0, 8)
    assert [(m.task, m.schema, m.args) for m in new_broker_messages()] == [
        ("outbox.deliver", "t_alpha", [message.pk])
    ]


def test_a_rolled_back_change_leaves_no_outbox_row_and_sends_nothing(
    alpha, django_capture_on_commit_callbacks, new_broker_messages
):
    def change_that_fails_after_writing_its_email() -> None:
        with transaction.atomic():
            outbox_enqueue(kind="email", payload=email_payload("bea@buyer.test"))
            raise RuntimeError("order refused")

    with schema_context(alpha.schema):
        rows_before = outbox_rows()
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError, match="order refused"),
        ):
            change_that_fails_after_writing_its_email()

        assert callbacks == []
        assert outbox_rows() == rows_before
    assert new_broker_messages() == []
    assert mail.outbox == []


def test_an_unknown_kind_is_refused_when_written_not_when_delivered(alpha):
    with schema_context(alpha.schema):
        rows_before = outbox_rows()

        with pytest.raises(UnknownKind, match="no handler for outbox kind 'fax'"):
            outbox_enqueue(kind="fax", payload={"to": "+15550100"})

        assert outbox_rows() == rows_before


# --- Delivering -------------------------------------------------------------------------------

WELCOME_TEXT = """Hello Dana Delta,

Your portal for Delta & Daughters Tools is ready: http://delta.portico.localhost:8000

Sign in with dana@delta.test and follow the checklist to brand your portal, add products and invite
your customers.

— Delta & Daughters Tools, powered by Portico
"""


def test_the_welcome_email_after_sign_up_is_delivered_in_the_portals_theme(tenants):
    from tenants.services import SignupRequest, tenant_provision

    tenant, _admin = tenant_provision(
        actor=None,
        request=SignupRequest(
            "Delta & Daughters Tools",
            "delta",
            "Dana Delta",
            "dana@delta.test",
            "Sturdy-Bolt-Washer-7",
        ),
    )

    with schema_context(tenant.schema_name):
        welcome = OutboxMessage.objects.get()
        assert outbox_deliver(message_id=welcome.pk) == "delivered"
        welcome.refresh_from_db()
        assert (welcome.status, welcome.attempts, welcome.last_error) == ("delivered", 1, "")

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.subject, sent.to, sent.from_email) == (
        "Welcome to your Delta & Daughters Tools portal",
        ["dana@delta.test"],
        DEFAULT_FROM,
    )
    assert sent.extra_headers == {"X-Portico-Message-Id": str(welcome.public_id)}
    assert sent.body == WELCOME_TEXT
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert (
        '<tr><td style="background:#1f4e79;color:#fff;padding:16px 24px;font-size:18px;'
        'font-weight:600">Delta &amp; Daughters Tools</td></tr>'
    ) in html
    assert "<p>Hello Dana Delta,</p>" in html
    assert 'href="http://delta.portico.localhost:8000"' in html


def test_the_email_wears_the_theme_in_force_when_it_is_delivered(alpha):
    from branding.services import theme_update

    with schema_context(alpha.schema):
        welcome = OutboxMessage.objects.get(
            payload__subject="Welcome to your Alpha Supplies portal"
        )
        assert welcome.status == "pending"
        theme_update(
            actor=alpha.admin,
            display_name="Alpha Direct",
            primary_color="#7A1F1F",
            accent_color="#0f766e",
            font="serif",
        )

        assert outbox_deliver(message_id=welcome.pk) == "delivered"

    [sent] = mail.outbox
    assert (sent.subject, sent.to) == (
        "Welcome to your Alpha Supplies portal",
        ["admin@alpha.test"],
    )
    assert sent.body.endswith("\n— Alpha Direct, powered by Portico\n")
    [(html, _)] = sent.alternatives
    assert 'font-family:Georgia, Cambria, "Times New Roman", Times, serif' in html
    assert (
        '<td style="background:#7a1f1f;color:#fff;padding:16px 24px;font-size:18px;'
        'font-weight:600">Alpha Direct</td>'
    ) in html


def test_delivering_twice_sends_once(alpha):
    with schema_context(alpha.schema):
        message = outbox_enqueue(kind="email", payload=email_payload("bea@buyer.test"))

        first = outbox_deliver(message_id=message.pk)
        after_first = row_state(message)
        second = outbox_deliver(message_id=message.pk)

        assert (first, second) == ("delivered", "delivered")
        assert row_state(message) == after_first
        assert after_first[:3] == ("delivered", 1, "")
    assert [m.to for m in mail.outbox] == [["bea@buyer.test"]]


@pytest.mark.parametrize(
    ("state", "answer"),
    [
        # due in 5 minutes from when the test runs (not from when the module was collected)
        ({"status": "retrying", "attempts": 1, "due_in": timedelta(minutes=5)}, "not-due"),
        ({"status": "dead", "attempts": 3, "last_error": "SMTPDataError: 554"}, "dead"),
    ],
    ids=["not-yet-due", "dead-lettered"],
)
def test_a_message_not_due_or_dead_is_left_alone(alpha, state, answer):
    fields = {**state}
    due_in = fields.pop("due_in", timedelta(0))
    with schema_context(alpha.schema):
        message = OutboxMessageFactory(**fields, next_attempt_at=timezone.now() + due_in)
        before = row_state(message)

        assert outbox_deliver(message_id=message.pk) == answer

        assert row_state(message) == before
    assert mail.outbox == []


def test_a_missing_message_is_reported_and_nothing_is_sent(alpha):
    with schema_context(alpha.schema):
        rows_before = outbox_rows()

        assert outbox_deliver(message_id=987654321) == "locked-or-missing"

        assert outbox_rows() == rows_before
    assert mail.outbox == []


def test_a_failing_delivery_backs_off_then_dead_letters(alpha, smtp_refusing):
    refused = "ConnectionRefusedError: [Errno 111] Connection refused"
    with schema_context(alpha.schema):
        message = outbox_enqueue(kind="email", payload=email_payload("bea@buyer.test"))
        seen = []
        for _ in range(3):
            started = timezone.now()
            answer = outbox_deliver(message_id=message.pk)
            status, attempts, error, delivered_at, next_at = row_state(message)
            seen.append(((answer, status, attempts, error, delivered_at), started, next_at))

        assert [outcome for outcome, _, _ in seen] == [
            ("retrying", "retrying", 1, refused, None),
            ("retrying", "retrying", 2, refused, None),
            ("dead", "dead", 3, refused, None),
        ]
        # Backoff (base 0.2 s): [0.1, 0.2] s after the 1st failure, [0.2, 0.4] s after the 2nd
        # (plus the time the failed attempt itself took).
        first_delay, second_delay = (next_at - started for _, started, next_at in seen[:2])
        assert timedelta(seconds=0.1) <= first_delay <= timedelta(seconds=0.2 + 0.5)
        assert timedelta(seconds=0.2) <= second_delay <= timedelta(seconds=0.4 + 0.5)
        # Dead-lettered: the third failure schedules no further attempt.
        assert seen[2][2] == seen[1][2]
        dead = row_state(message)
        assert outbox_deliver(message_id=message.pk) == "dead"
        assert row_state(message) == dead


# --- Sweeping ---------------------------------------------------------------------------------


def test_the_sweeper_requeues_due_messages_of_every_schema_with_their_schema(
    tenants, new_broker_messages
):
    alpha, beta = tenants["alpha"], tenants["beta"]
    later = timezone.now() + timedelta(minutes=5)
    with schema_context(alpha.schema):
        alpha_welcome = OutboxMessage.objects.get(status="pending")
        due_retry = OutboxMessageFactory(status="retrying", attempts=1)
        OutboxMessageFactory(status="retrying", attempts=1, next_attempt_at=later)
        OutboxMessageFactory(status="dead", attempts=3)
        OutboxMessageFactory(status="delivered", attempts=1, delivered_at=timezone.now())
    with schema_context(beta.schema):
        beta_welcome = OutboxMessage.objects.get(status="pending")

    result = sweep_all_schemas.apply(headers={"_schema_name": "public"})

    assert result.get() == 3
    assert sorted((m.task, m.schema, m.args[0]) for m in new_broker_messages()) == sorted(
        [
            ("outbox.deliver", "t_alpha", alpha_welcome.pk),
            ("outbox.deliver", "t_alpha", due_retry.pk),
            ("outbox.deliver", "t_beta", beta_welcome.pk),
        ]
    )


def test_dispatching_due_messages_in_one_schema_queues_only_that_schema(beta, new_broker_messages):
    with schema_context(beta.schema):
        welcome = OutboxMessage.objects.get(status="pending")

        assert outbox_dispatch_due() == 1

    assert [(m.task, m.schema, m.args) for m in new_broker_messages()] == [
        ("outbox.deliver", "t_beta", [welcome.pk])
    ]


# --- Replay -----------------------------------------------------------------------------------


def replay(*args: str) -> str:
    out = StringIO()
    call_command("outbox_replay", *args, stdout=out)
    return out.getvalue()


def test_replay_by_id_audits_and_sends_the_message_again(alpha, django_capture_on_commit_callbacks):
    with schema_context(alpha.schema):
        dead = OutboxMessageFactory(
            status="dead",
            attempts=3,
            last_error="SMTPDataError: 554",
            next_attempt_at=timezone.now() - timedelta(hours=1),
        )
        audit_before = AuditEntry.objects.count()

        with django_capture_on_commit_callbacks() as callbacks:
            out = replay("--schema", "t_alpha", "--id", str(dead.public_id))

        assert out == f"replayed {dead.public_id} (email)\n1 message(s) queued again\n"
        assert len(callbacks) == 1
        status, attempts, error, delivered_at, next_at = row_state(dead)
        assert (status, attempts, error, delivered_at) == ("pending", 0, "SMTPDataError: 554", None)
        assert timezone.now() - next_at < timedelta(seconds=5)
        assert AuditEntry.objects.count() == audit_before + 1
        entry = AuditEntry.objects.order_by("-id").first()
        assert (
            entry.action,
            entry.actor_kind,
            entry.object_type,
            entry.object_id,
            entry.object_label,
            entry.details,
        ) == (
            "outbox.replayed",
            "system",
            "outbox.outboxmessage",
            str(dead.public_id),
            "email [pending]",
            {"kind": "email", "last_error": "SMTPDataError: 554"},
        )

        assert outbox_deliver(message_id=dead.pk) == "delivered"
        assert row_state(dead)[:3] == ("delivered", 1, "")
    assert [m.to for m in mail.outbox] == [["bea@buyer.test"]]


def test_replay_all_dead_replays_the_dead_and_nothing_else(alpha):
    with schema_context(alpha.schema):
        dead_one = OutboxMessageFactory(status="dead", attempts=3, last_error="E1")
        dead_two = OutboxMessageFactory(
            status="dead",
            attempts=3,
            last_error="E2",
            kind="email",
            payload=email_payload("cy@buyer.test"),
        )
        retrying = OutboxMessageFactory(status="retrying", attempts=1, last_error="E3")
        others_before = row_state(retrying)
        last_audit = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()

        out = replay("--schema", "t_alpha", "--all-dead")

        assert out == (
            f"replayed {dead_one.public_id} (email)\n"
            f"replayed {dead_two.public_id} (email)\n"
            "2 message(s) queued again\n"
        )
        assert [row_state(m)[:2] for m in (dead_one, dead_two)] == [("pending", 0), ("pending", 0)]
        assert row_state(retrying) == others_before
        assert list(
            AuditEntry.objects.filter(id__gt=last_audit, action="outbox.replayed")
            .order_by("id")
            .values_list("object_id", flat=True)
        ) == [str(dead_one.public_id), str(dead_two.public_id)]


def test_replay_in_another_schema_does_not_touch_this_one(alpha, beta):
    with schema_context(alpha.schema):
        dead = OutboxMessageFactory(status="dead", attempts=3)
        before = row_state(dead)

    out = replay("--schema", beta.schema, "--all-dead")

    assert out == "0 message(s) queued again\n"
    with schema_context(alpha.schema):
        assert row_state(dead) == before


def test_replay_without_saying_which_messages_is_refused_and_changes_nothing(alpha):
    with schema_context(alpha.schema):
        dead = OutboxMessageFactory(status="dead", attempts=3)
        before, audit_before = row_state(dead), AuditEntry.objects.count()

    with pytest.raises(
        CommandError,
        match=r"^Say which messages: --id PUBLIC_ID \(repeatable\) "
        r"or --all-dead\.$",
    ):
        replay("--schema", alpha.schema)

    with schema_context(alpha.schema):
        assert (row_state(dead), AuditEntry.objects.count()) == (before, audit_before)


def test_replay_of_a_message_that_is_not_dead_is_refused_and_replays_none(alpha):
    with schema_context(alpha.schema):
        dead = OutboxMessageFactory(status="dead", attempts=3)
        delivered = OutboxMessageFactory(
            status="delivered", attempts=1, delivered_at=timezone.now()
        )
        before = [row_state(dead), row_state(delivered)]
        audit_before = AuditEntry.objects.count()

        with pytest.raises(CommandError) as refused:
            replay(
                "--schema",
                alpha.schema,
                "--id",
                str(dead.public_id),
                "--id",
                str(delivered.public_id),
            )

        assert str(refused.value) == f"Not dead-lettered or unknown: {delivered.public_id}"
        assert [row_state(dead), row_state(delivered)] == before
        assert AuditEntry.objects.count() == audit_before
    assert mail.outbox == []


# --- Tasks refuse to run without their schema (in-process; the worker test does it for real) ---


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "it carries no schema"),
        ("t_gone", "its schema 't_gone' could not be entered"),
    ],
    ids=["no-schema", "unknown-schema"],
)
def test_a_delivery_task_without_a_usable_schema_is_refused_and_changes_nothing(
    tenants, header, reason
):
    from outbox.tasks import deliver_outbox_message
    from tenants.tasks import MissingSchema

    with schema_context("public"):
        message = OutboxMessageFactory(payload=email_payload("ops@portico.test"))
        before = row_state(message)

    with pytest.raises(MissingSchema, match=f"^task outbox.deliver refused: {reason}"):
        deliver_outbox_message.apply(args=[message.pk], headers={"_schema_name": header})

    with schema_context("public"):
        assert row_state(message) == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"schema": "t_nowhere", "all_dead": True},
            "No tenant schema 't_nowhere'; see manage.py portico_migrate --check.",
        ),
        (
            {"schema": "t_alpha", "ids": ["not-a-uuid"]},
            "--id takes a message's public id (a UUID): badly formed hexadecimal UUID string",
        ),
    ],
)
def test_replay_refuses_unknown_schema_and_bad_ids_clearly(tenants, args, message):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as excinfo:
        call_command("outbox_replay", **args)
    assert str(excinfo.value) == message
