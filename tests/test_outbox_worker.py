"""The outbox through a real Celery worker and Redis: each tenant's task runs in its own schema,
a task that carries no (usable) schema is refused, and a failing delivery backs off, is dead-
lettered, and is delivered after an operator replays it.

The worker is a subprocess and cannot see a test's transaction, so these tests commit their rows
(in the session's tenants ``alpha`` and ``beta``) and delete them afterwards. Outbox rows go;
audit rows stay (the audit table refuses DELETE).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from celery import Celery
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from control_plane.celery import app
from outbox.models import OutboxMessage
from outbox.services import outbox_enqueue
from tests.support import broker
from tests.support.factories import OutboxMessageFactory, email_payload
from tests.support.smtp import Received, SmtpSink
from tests.support.waiting import wait_until
from tests.support.worker import CeleryWorker, database_url

pytestmark = pytest.mark.worker

REFUSED = "ConnectionRefusedError: [Errno 111] Connection refused"
NO_HEADER = object()


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def worker(django_db_setup, smtp_sink, tmp_path_factory) -> Iterator[CeleryWorker]:
    """A solo worker on the test database; it sends e-mail to ``smtp_sink``'s port."""
    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    if broker.client().connection_pool.connection_kwargs.get("db") != 15:
        pytest.fail(
            "worker tests empty the broker's Redis database: run them with "
            "REDIS_URL=redis://127.0.0.1:6379/15 (or deselect them: -m 'not worker')"
        )
    broker.client().flushdb()  # messages queued by earlier runs are not ours to deliver
    celery_worker = CeleryWorker(
        log_path=tmp_path_factory.mktemp("worker") / "worker.log",
        env={
            "DATABASE_URL": database_url(connection.settings_dict),
            "REDIS_URL": app.conf.broker_url,
            "CELERY_EAGER": "false",
            "EMAIL_BACKEND": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_sink.port),
            "OUTBOX_BACKOFF_BASE": "0.2",
            "OUTBOX_BACKOFF_CAP": "1",
            "OUTBOX_MAX_ATTEMPTS": "3",
        },
    )
    celery_worker.start()
    yield celery_worker
    celery_worker.stop()
    broker.client().flushdb()


@pytest.fixture
def db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Committed database access, replacing pytest-django's ``db`` in this module.

    The worker is another process: it only sees committed rows, so these tests must not run in
    a transaction that is rolled back. Requesting ``db`` also tells pytest-django that these
    tests need the test database (it creates only the databases that collected tests ask for;
    without this, running this module alone would run against the development database).
    """
    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def created(db) -> Iterator[list[tuple[str, int]]]:
    """(schema, id) of outbox rows a test committed; deleted when it ends."""
    rows: list[tuple[str, int]] = []
    yield rows
    for schema, pk in rows:
        with schema_context(schema):
            OutboxMessage.objects.filter(pk=pk).delete()


@pytest.fixture
def mail_up(smtp_sink) -> SmtpSink:
    smtp_sink.start()
    smtp_sink.clear()
    return smtp_sink


@pytest.fixture
def mail_down(smtp_sink) -> SmtpSink:
    smtp_sink.stop()
    smtp_sink.clear()
    return smtp_sink


def enqueue_committed(schema: str, payload: dict[str, Any], created: list) -> OutboxMessage:
    """What a service does: write the message in the change's transaction, and commit."""
    with schema_context(schema):
        with transaction.atomic():
            message = outbox_enqueue(kind="email", payload=payload)
        created.append((schema, message.pk))
        return message


def state(schema: str, pk: int) -> tuple:
    with schema_context(schema):
        return (
            OutboxMessage.objects.filter(pk=pk)
            .values_list("status", "attempts", "last_error", "delivered_at", "next_attempt_at")
            .get()
        )


def delivered(schema: str, pk: int) -> tuple | None:
    row = state(schema, pk)
    return row if row[0] == "delivered" else None


def mail_for(sink: SmtpSink, message: OutboxMessage) -> list[Received]:
    return [
        r for r in sink.messages() if r.message["X-Portico-Message-Id"] == str(message.public_id)
    ]


def align_outbox_ids(*schemas: str) -> None:
    """Make the next outbox id the same in every schema (sequences only move forward), so the
    same task argument names a different message in each schema."""
    sequences = {}
    for schema in schemas:
        with schema_context(schema), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, 'id')", [f'"{schema}".outbox_outboxmessage']
            )
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            sequences[sequence] = cursor.fetchone()[0]
    target = max(sequences.values()) + 1
    with connection.cursor() as cursor:
        for sequence in sequences:
            cursor.execute("SELECT setval(%s, %s, false)", [sequence, target])


# --- Each tenant's task in its own schema -----------------------------------------------------


def test_tasks_for_two_tenants_each_run_in_their_own_schema(worker, mail_up, tenants, created):
    alpha, beta = tenants["alpha"], tenants["beta"]
    align_outbox_ids(alpha.schema, beta.schema)
    mark, started = worker.mark(), timezone.now()

    to_alpha = enqueue_committed(alpha.schema, email_payload("ann@buyer-a.test"), created)
    to_beta = enqueue_committed(beta.schema, email_payload("bob@buyer-b.test"), created)

    assert to_alpha.pk == to_beta.pk  # one task argument, two different messages
    for schema, message in ((alpha.schema, to_alpha), (beta.schema, to_beta)):
        status, attempts, error, delivered_at, _ = wait_until(
            lambda s=schema, m=message: delivered(s, m.pk), what=f"delivery in {schema}"
        )
        assert (status, attempts, error) == ("delivered", 1, "")
        assert started < delivered_at < timezone.now()
    wait_until(
        lambda: len(mail_for(mail_up, to_alpha)) + len(mail_for(mail_up, to_beta)) == 2,
        what="both e-mails at the SMTP server",
    )
    [alpha_mail] = mail_for(mail_up, to_alpha)
    [beta_mail] = mail_for(mail_up, to_beta)
    # Each e-mail went to its own recipient and wears its own portal's theme, read in its schema.
    assert (alpha_mail.rcpt_tos, alpha_mail.message["Subject"]) == (
        ["ann@buyer-a.test"],
        "Your order has shipped",
    )
    assert (beta_mail.rcpt_tos, beta_mail.message["Subject"]) == (
        ["bob@buyer-b.test"],
        "Your order has shipped",
    )
    assert alpha_mail.text().endswith("\n— Alpha Supplies, powered by Portico\n")
    assert beta_mail.text().endswith("\n— Beta Parts, powered by Portico\n")
    assert 'font-weight:600">Alpha Supplies</td>' in alpha_mail.html()
    assert 'font-weight:600">Beta Parts</td>' in beta_mail.html()
    assert worker.results(since=mark) == ["delivered", "delivered"]


# --- Refusal without a schema -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (NO_HEADER, "it carries no schema"),
        (None, "it carries no schema"),
        ("", "it carries no schema"),
        ("t_gone", "its schema 't_gone' could not be entered"),
    ],
    ids=["no-header", "no-schema", "empty-schema", "unknown-schema"],
)
def test_a_task_without_a_usable_schema_is_refused_and_changes_nothing(
    worker, mail_up, tenants, created, header, reason
):
    # A pending e-mail in the control plane's own outbox: a task that fell back to the public
    # schema (as plain tenant-schemas-celery does) would deliver it.
    with schema_context("public"):
        message = OutboxMessageFactory(payload=email_payload("ops@portico.test"))
    created.append(("public", message.pk))
    before = state("public", message.pk)
    mark = worker.mark()

    if header is NO_HEADER:  # a producer that is not tenant-aware: a plain Celery app
        sent = Celery.send_task(app, "outbox.deliver", args=[message.pk])
    else:
        sent = app.send_task("outbox.deliver", args=[message.pk], headers={"_schema_name": header})

    worker.wait_for_log(
        rf"Task outbox\.deliver\[{sent.id}\] raised unexpected: MissingSchema\("
        rf"[\"']task outbox\.deliver refused: {reason}",
        since=mark,
    )
    assert worker.results(since=mark) == []
    assert state("public", message.pk) == before
    assert mail_for(mail_up, message) == []


# --- Backoff, dead letter, replay -------------------------------------------------------------


def test_a_failing_delivery_backs_off_then_dead_letters_then_is_replayed(
    worker, smtp_sink, mail_down, tenants, created, settings
):
    alpha = tenants["alpha"]
    settings.OUTBOX_MAX_ATTEMPTS = 3  # stored on the message when it is written
    mark = worker.mark()

    message = enqueue_committed(alpha.schema, email_payload("cy@buyer-a.test"), created)

    # Watch the row: every state it passes through, in order.
    seen: list[tuple] = []

    def dead() -> bool:
        row = state(alpha.schema, message.pk)
        if not seen or seen[-1] != row:
            seen.append(row)
        return row[0] == "dead"

    wait_until(dead, interval=0.005, what="the message to be dead-lettered")
    passes = [row for row in seen if row[1] > 0]
    assert [(status, attempts, error) for status, attempts, error, _, _ in passes] == [
        ("retrying", 1, REFUSED),
        ("retrying", 2, REFUSED),
        ("dead", 3, REFUSED),
    ]
    first_due, second_due, dead_due = (row[4] for row in passes)
    # Backoff with base 0.2 s: the 1st retry waits 0.1–0.2 s, the 2nd 0.2–0.4 s (worker latency
    # can only add to the second gap's upper end); the dead letter is not scheduled again.
    assert timedelta(seconds=0.1) <= first_due - message.created_at <= timedelta(seconds=0.2 + 2)
    assert timedelta(seconds=0.2) <= second_due - first_due <= timedelta(seconds=0.4 + 1.0)
    assert dead_due == second_due
    assert worker.results(since=mark) == ["retrying", "retrying", "dead"]
    time.sleep(1.2)  # longer than any backoff (cap 1 s): a 4th attempt would have happened
    assert state(alpha.schema, message.pk) == passes[-1]
    assert worker.results(since=mark) == ["retrying", "retrying", "dead"]

    # The mail server is back; an operator replays the dead letters of alpha.
    smtp_sink.start()
    with schema_context(alpha.schema):
        assert list(OutboxMessage.objects.filter(status="dead").values_list("pk", flat=True)) == [
            message.pk
        ]
        audit_before = AuditEntry.objects.count()
    out = StringIO()
    call_command("outbox_replay", "--schema", alpha.schema, "--all-dead", stdout=out)

    assert out.getvalue() == f"replayed {message.public_id} (email)\n1 message(s) queued again\n"
    status, attempts, error, _, _ = wait_until(
        lambda: delivered(alpha.schema, message.pk), what="the replayed message to be delivered"
    )
    assert (status, attempts, error) == ("delivered", 1, "")
    [received] = wait_until(lambda: mail_for(smtp_sink, message), what="the replayed e-mail")
    assert received.rcpt_tos == ["cy@buyer-a.test"]
    assert received.text().endswith("\n— Alpha Supplies, powered by Portico\n")
    assert worker.results(since=mark) == ["retrying", "retrying", "dead", "delivered"]
    with schema_context(alpha.schema):
        assert AuditEntry.objects.count() == audit_before + 1
        entry = AuditEntry.objects.order_by("-id").first()
        assert (entry.action, entry.object_id, entry.details) == (
            "outbox.replayed",
            str(message.public_id),
            {"kind": "email", "last_error": REFUSED},
        )
    assert len(mail_for(smtp_sink, message)) == 1
