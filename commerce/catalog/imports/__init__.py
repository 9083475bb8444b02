"""The CSV engine: products, stock and price lists, from upload to applied.

Life of an import (``ImportJob``): upload → every row parsed and checked against the database
(``ready`` with counts and a preview, or ``failed`` with a row-by-row report) → the supplier
confirms → every row is checked again and written in ONE transaction, with ONE audit entry
(``done``), or nothing is written (``failed``). Files with more rows than
``settings.CATALOG_IMPORT_ASYNC_ROWS`` (default 500) are checked and applied by a Celery task
(``tasks.run_import_job``, queued after commit, safe to run twice) while the page polls progress.

Formats (the exports write exactly these headers, so an export imports back as "unchanged"):
see ``COLUMNS`` and README.md. Row numbers are the spreadsheet's: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from audit.services import audit_record
from commerce.catalog.cache import catalogue_changed
from commerce.catalog.errors import ImportFileError
from commerce.catalog.imports import kinds as import_kinds
from commerce.catalog.imports.kinds import COLUMNS, REQUIRED, Plan, RowError
from commerce.catalog.models import ImportJob, ImportKind, ImportStatus
from commerce.catalog.policies import require_catalogue_editor
from commerce.catalog.services import Actions
from core.tenancy import current_schema

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_STORED_ERRORS = 1000
PROGRESS_EVERY = 500

Progress = Callable[[int, int], None]

__all__ = [
    "COLUMNS",
    "import_confirm",
    "import_job_run",
    "import_progress",
    "import_upload",
    "read_csv",
]


def async_threshold() -> int:
    return int(getattr(settings, "CATALOG_IMPORT_ASYNC_ROWS", 500))


def max_rows() -> int:
    return int(getattr(settings, "CATALOG_IMPORT_MAX_ROWS", 100_000))


# --- reading the file ---------------------------------------------------------------------------


def _normalise(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _header_problem(kind: str, message: str) -> ImportFileError:
    expected = ",".join(COLUMNS[kind])
    required = ", ".join(c for c in COLUMNS[kind] if c in REQUIRED[kind])
    return ImportFileError(
        "bad_header",
        f"{message}; the header must be: {expected} (required: {required})",
        field="header",
    )


def _check_header(kind: str, header: list[str]) -> list[str]:
    columns = [_normalise(c) for c in header]
    for index, column in enumerate(columns):
        if column not in COLUMNS[kind]:
            raise _header_problem(kind, f"unknown column “{header[index].strip()}”")
        if column in columns[:index]:
            raise _header_problem(kind, f"column “{column}” appears twice")
    for column in COLUMNS[kind]:
        if column in REQUIRED[kind] and column not in columns:
            raise _header_problem(kind, f"missing required column “{column}”")
    return columns


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "not_utf8",
            "The file is not UTF-8 text. In Excel choose “CSV UTF-8 (comma delimited)” when "
            "saving; in other programs choose the UTF-8 encoding.",
        ) from None


def read_csv(kind: str, content: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The normalised header and the non-empty rows as ``(row number, {column: text})``.
    The delimiter (comma, semicolon or tab) is taken from the header line."""
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(c.strip() for c in header):
            raise ImportFileError("empty_file", "The file is empty: it has no header row.")
        columns = _check_header(kind, header)
        rows: list[tuple[int, dict[str, str]]] = []
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(columns):
                rows.append((number, {"__width__": str(len(cells))}))
            else:
                rows.append((number, dict(zip(columns, cells, strict=True))))
            if len(rows) > max_rows():
                raise ImportFileError(
                    "too_many_rows",
                    f"The file has more than {max_rows():,} rows; split it into smaller files.",
                )
    except csv.Error as exc:
        raise ImportFileError("bad_csv", f"The file is not valid CSV: {exc}.") from None
    return columns, rows


def _width_errors(
    columns: list[str], rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[RowError], list[tuple[int, dict[str, str]]]]:
    errors, good = [], []
    for number, row in rows:
        if "__width__" in row:
            errors.append(
                RowError(
                    number,
                    "",
                    f"has {row['__width__']} values but the header has {len(columns)} columns",
                )
            )
        else:
            good.append((number, row))
    return errors, good


# --- checking and applying ----------------------------------------------------------------------


def _progress_key(job: ImportJob) -> str:
    return f"catalog:import-progress:{job.public_id}"


def _reporter(job: ImportJob, phase: str) -> Progress:
    """Progress goes to the (schema-keyed) cache: the apply transaction cannot show its
    progress in the database to other connections until it commits."""

    def report(done: int, total: int) -> None:
        if done % PROGRESS_EVERY and done != total:
            return
        try:
            cache.set(_progress_key(job), {"phase": phase, "done": done, "total": total}, 3600)
        except Exception:  # progress is cosmetic: never fail an import over it
            logger.warning("import progress not stored", exc_info=True)

    return report


@dataclass(frozen=True)
class ImportProgress:
    phase: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        if self.phase == ImportStatus.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0


def import_progress(job: ImportJob) -> ImportProgress:
    """How far a running job is (from the cache), or the job's last recorded state."""
    if job.status in {ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.READY}:
        return ImportProgress(str(job.status), job.progress_done, job.progress_total)
    try:
        state: dict[str, Any] = cache.get(_progress_key(job)) or {}
    except Exception:
        state = {}
    return ImportProgress(
        str(state.get("phase", "queued")),
        int(state.get("done", 0)),
        int(state.get("total", job.total_rows)),
    )


def _plan(job: ImportJob, progress: Progress) -> Plan:
    with job.file.open("rb") as handle:
        content = handle.read()
    columns, rows = read_csv(job.kind, content)
    width_errors, rows = _width_errors(columns, rows)
    plan = import_kinds.plan_for(job.kind, columns, rows, progress)
    plan.total_rows += len(width_errors)
    plan.errors = sorted(width_errors + plan.errors, key=lambda e: e.row or 0)
    return plan


def _record_plan(job: ImportJob, plan: Plan) -> None:
    job.total_rows = plan.total_rows
    job.to_create = plan.create_count
    job.to_update = plan.update_count
    job.unchanged = plan.unchanged
    job.error_count = len(plan.errors)
    job.errors = [e.as_dict() for e in plan.errors[:MAX_STORED_ERRORS]]
    job.preview = plan.preview
    job.progress_done = job.progress_total = plan.total_rows


def _fail(job: ImportJob, error: ImportFileError) -> None:
    job.status = ImportStatus.FAILED
    job.error_count = 1
    job.errors = [RowError(1 if error.field == "header" else None, "", error.message).as_dict()]
    job.failure = error.message


JOB_FIELDS = [
    "status",
    "total_rows",
    "to_create",
    "to_update",
    "unchanged",
    "error_count",
    "errors",
    "preview",
    "failure",
    "progress_done",
    "progress_total",
    "updated_at",
]


def _validate(job: ImportJob) -> ImportJob:
    """Check every row (read-only) and record the outcome: ``ready`` or ``failed``."""
    try:
        plan = _plan(job, _reporter(job, "checking"))
    except ImportFileError as exc:
        _fail(job, exc)
    else:
        _record_plan(job, plan)
        job.status = ImportStatus.FAILED if plan.errors else ImportStatus.READY
        job.failure = ""
    job.save(update_fields=JOB_FIELDS)
    return job


def _apply(job: ImportJob) -> ImportJob:
    """Check again and write every row in the caller's transaction, or nothing."""
    try:
        plan = _plan(job, _reporter(job, "checking"))
    except ImportFileError as exc:
        _fail(job, exc)
        job.save(update_fields=JOB_FIELDS)
        return job
    _record_plan(job, plan)
    if plan.errors:
        job.status = ImportStatus.FAILED
        job.failure = "The data changed since the check; nothing was applied."
        job.save(update_fields=JOB_FIELDS)
        return job
    try:
        with transaction.atomic():
            _write(job, plan)
    except DatabaseError as exc:
        logger.exception("import %s refused by the database", job.public_id)
        job.status = ImportStatus.FAILED
        job.failure = (
            f"The database refused the import ({type(exc).__name__}); nothing was applied."
        )
        job.save(update_fields=JOB_FIELDS)
    return job


def _write(job: ImportJob, plan: Plan) -> None:
    written = import_kinds.apply_plan(job.kind, plan, _reporter(job, "writing"))
    catalogue_changed()
    job.status = ImportStatus.DONE
    job.failure = ""
    job.applied_at = timezone.now()
    job.save(update_fields=[*JOB_FIELDS, "applied_at"])
    audit_record(
        action=Actions.IMPORT_APPLIED,
        actor=job.applied_by,
        obj=job,
        details={
            "kind": job.kind,
            "file": job.original_name,
            "rows": plan.total_rows,
            "created": plan.create_count,
            "updated": plan.update_count,
            "unchanged": plan.unchanged,
            **written,
        },
    )


def _queue(job: ImportJob) -> None:
    from commerce.catalog.tasks import run_import_job

    schema, job_id = current_schema(), job.pk
    transaction.on_commit(
        lambda: run_import_job.apply_async(args=[job_id], headers={"_schema_name": schema})
    )


def import_upload(*, actor: Any, kind: str, upload: UploadedFile) -> ImportJob:
    """Keep the uploaded file (under the tenant's prefix) and check it: at once for small
    files, by a Celery task for files above the threshold. Nothing in the catalogue changes."""
    require_catalogue_editor(actor)
    if kind not in ImportKind.values:
        raise ImportFileError("bad_kind", "Choose what the file contains.", field="kind")
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ImportFileError(
            "file_too_large",
            f"The file is {upload.size / 1024 / 1024:.1f} MB; upload at most 20 MB at a time.",
            field="file",
        )
    content = upload.read()
    rows = content.count(b"\n")
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob(
            kind=kind, created_by=actor, original_name=(upload.name or "upload.csv")[-255:]
        )
        job.file.save("upload.csv", upload, save=False)
        job.progress_total = job.total_rows = max(rows - 1, 0)
        job.save(force_insert=True)
        if rows - 1 > async_threshold():
            _queue(job)
            return job
        return _validate(job)


def import_confirm(*, actor: Any, job: ImportJob) -> ImportJob:
    """Apply a checked import: at once for small files (the result is final when this returns),
    by a Celery task for large ones (the job is ``applying`` until the task finishes)."""
    require_catalogue_editor(actor)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.READY:
            raise ImportFileError(
                "not_ready",
                {
                    str(ImportStatus.DONE): "This import has already been applied.",
                    str(ImportStatus.APPLYING): "This import is being applied already.",
                    str(ImportStatus.FAILED): "This import has errors; upload a corrected file.",
                }.get(str(job.status), "This import is still being checked; wait for the preview."),
            )
        job.status = ImportStatus.APPLYING
        job.applied_by = actor
        job.progress_done = 0
        job.save(update_fields=["status", "applied_by", "progress_done", "updated_at"])
        if job.total_rows > async_threshold():
            _queue(job)
            return job
        return _apply(job)


def import_job_run(*, job_id: int) -> str:
    """The task's work: check a pending job or apply an applying one. Safe to run twice and
    concurrently: the job row is locked, and a job in any other state is left alone."""
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.VALIDATING
    )
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "missing"
        if job.status in {ImportStatus.PENDING, ImportStatus.VALIDATING}:
            return str(_validate(job).status)
        if job.status == ImportStatus.APPLYING:
            return str(_apply(job).status)
        return str(job.status)


def iter_errors(job: ImportJob) -> Iterable[str]:
    for error in job.errors:
        yield str(RowError(error.get("row"), error.get("column", ""), error["message"]))
