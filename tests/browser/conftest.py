"""Browser end-to-end fixtures: a real server on the test database, Debian's Chromium driven by
Playwright, and a folder of screenshots whose path is printed at the end of the run.

Chromium is ``/usr/bin/chromium`` (``apt-get install chromium``); ``playwright install`` is never
used. A missing Chromium fails the tests loudly: a skipped browser suite would hide a broken CI.

Browser tests carry ``@pytest.mark.django_db`` (plain, not ``transaction=True``): that is what makes
pytest-django create the test database, and its rollback leaves the session's committed data
alone. The server sees only committed rows, so tests write through ``committed()``.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection

from tests.support.live_server import DEFAULT_REDIS_URL, ROOT, LiveServer, database_url

T = TypeVar("T")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}
ARTIFACTS_DIR = Path(
    os.environ.get("PORTICO_TEST_ARTIFACTS") or ROOT / "test-artifacts" / "browser"
).resolve()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test gets ``django_db``: without it pytest-django creates no test database
    and the session set-up would run against the development database."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here) and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)  # lets the page fixture shoot failures
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if ARTIFACTS_DIR.exists() and any(ARTIFACTS_DIR.rglob("*.png")):
        terminalreporter.write_sep("-", "browser test artefacts")
        terminalreporter.write_line(f"Browser screenshots: {ARTIFACTS_DIR}")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS_DIR.glob("*-failure*.png"):  # from an earlier run
        stale.unlink()
    print(f"\nBrowser screenshots: {ARTIFACTS_DIR}")
    return ARTIFACTS_DIR


def screenshots(artifacts_dir: Path, name: str) -> Callable[[Any, str], Path]:
    """``take(page, "step")`` saves ``<artifacts>/<name>/NN-step.png`` (full page), numbered
    in the order taken; the folder's old shots are removed first."""
    folder = artifacts_dir / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken: list[Path] = []

    def take(page: Any, step: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(path)
        return path

    return take


def committed(django_db_blocker: Any, fn: Callable[[], T]) -> T:
    """Run ``fn`` (ORM work) on a connection of its own, committed at once, and return its result.

    The test's own connection is inside pytest-django's rolled-back transaction, and Playwright's
    sync API keeps an asyncio loop running in the test's thread (Django refuses ORM calls there:
    ``SynchronousOnlyOperation``). A fresh thread has neither; its connection is closed after."""
    from django.db import connections

    def call() -> T:
        try:
            with django_db_blocker.unblock():
                return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@pytest.fixture(scope="session")
def portico_server(
    django_db_setup: Any,
    django_db_blocker: Any,
    artifacts_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """gunicorn on a free port, serving the committed session data of the test database.

    Deliberately not named ``live_server``: pytest-django would then wrap the test in
    ``transactional_db``, whose flush truncates the session's public tables."""
    from django.conf import settings

    settings_dict = dict(connection.settings_dict)
    if not str(settings_dict["NAME"]).startswith("test_"):
        pytest.fail(
            f"The browser server would run on {settings_dict['NAME']!r}, not a test database: "
            "browser tests must be marked @pytest.mark.django_db.",
            pytrace=False,
        )

    server = LiveServer(
        database_url=database_url(settings_dict),
        redis_url=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        media_root=tmp_path_factory.mktemp("live-media"),
        log_path=artifacts_dir / "server.log",
        public_host=settings.PORTICO_PUBLIC_HOST,
        base_domain=settings.PORTICO_BASE_DOMAIN,
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Chromium for one test. Per test on purpose: Playwright's event loop must be gone before
    pytest-django rolls the test's transaction back (Django refuses it with a loop running)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium` "
            "(never `playwright install`).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(
    chromium: Any, request: pytest.FixtureRequest, artifacts_dir: Path
) -> Iterator[Any]:
    """Factory of fresh browser contexts (no cookies), all closed after the test:
    ``new_context()`` at the desktop size, ``new_context(viewport=..., is_mobile=True)`` etc."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        """``options`` go to ``Browser.new_context`` (e.g. a phone's ``viewport``)."""
        context = chromium.new_context(**{"viewport": VIEWPORT, "locale": "en-GB", **options})
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(60_000)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    # The ``page`` fixture shoots its own page (the first context); the others are shot here.
    shot_by_page_fixture = 1 if "page" in request.fixturenames else 0
    for index, context in enumerate(contexts):
        if failed and index >= shot_by_page_fixture:
            for number, other in enumerate(p for p in context.pages if not p.is_closed()):
                name = f"{request.node.name}-failure-context{index}-page{number}.png"
                other.screenshot(path=artifacts_dir / name, full_page=True)
        context.close()


@pytest.fixture
def page(new_context: Any, request: pytest.FixtureRequest, artifacts_dir: Path) -> Iterator[Any]:
    """A page in a fresh context; on failure its last state is saved as ``<test>-failure.png``."""
    page = new_context().new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        page.screenshot(path=artifacts_dir / f"{request.node.name}-failure.png", full_page=True)


@pytest.fixture
def unique_subdomain() -> str:
    """A sub-domain no earlier run used (runs share nothing but must never collide)."""
    return "brw" + secrets.token_hex(4)


def watch(page: Any) -> list[str]:
    """What goes wrong on ``page`` from now on: script errors, console errors, HTTP 4xx/5xx
    (the list fills as the page runs; assert it is empty at the end)."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console error: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status} for {r.request.method} {r.url}")
            if r.status >= 400
            else None
        ),
    )
    return problems


def server_password_hash(raw: str) -> str:
    """A hash the live server can check. The test process hashes with MD5 first (fast, see the
    root conftest), which the server's ``PASSWORD_HASHERS`` do not know: users created here
    who sign in through the browser need this instead."""
    from django.contrib.auth.hashers import make_password

    return make_password(raw, hasher="pbkdf2_sha256")


def archive_tenant(django_db_blocker: Any, slug: str, reason: str) -> None:
    """Archive the tenant ``slug`` if it exists (its schema is kept), as the operator."""

    def archive() -> None:
        from django_tenants.utils import schema_context

        from sso.models import User
        from tenants.choices import TenantStatus
        from tenants.models import Tenant
        from tenants.services import tenant_set_status

        with schema_context("public"):
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is not None and tenant.status != TenantStatus.ARCHIVED:
                tenant_set_status(
                    actor=User.objects.get(email="ops@portico.test"),
                    tenant=tenant,
                    status=TenantStatus.ARCHIVED,
                    reason=reason,
                )

    committed(django_db_blocker, archive)
