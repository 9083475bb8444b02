"""A real Celery worker (``celery -A control_plane worker``) in a subprocess, for tests.

It runs the project's own Celery app against the test database and the test Redis database,
logs to a file the tests read, and is stopped (warm, then hard) when the tests are done.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent.parent
CELERY = Path(sys.executable).parent / "celery"


def database_url(settings_dict: dict[str, object]) -> str:
    """``postgres://`` URL of a Django database settings dict (the test database's, in tests)."""
    user, password = settings_dict["USER"] or "postgres", settings_dict["PASSWORD"] or ""
    credentials = f"{user}:{password}" if password else f"{user}"
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


class CeleryWorker:
    """One solo worker consuming the default ``celery`` queue."""

    def __init__(self, *, log_path: Path, env: dict[str, str]) -> None:
        self.log_path = log_path
        self.env = {
            **os.environ,
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'platform'}",
            "DJANGO_SETTINGS_MODULE": "control_plane.settings",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 30.0) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "control_plane",
                    "worker",
                    "-P",
                    "solo",
                    "-c",
                    "1",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "-Q",
                    "celery",
                    "-n",
                    f"outbox-tests-{os.getpid()}@%h",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited at start-up:\n{self.log()}")
            return " ready." in self.log()

        wait_until(ready, timeout=timeout, interval=0.1, what="the Celery worker to be ready")

    def stop(self, *, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: unacked tasks go back
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def mark(self) -> int:
        """A position in the log; ``log_since(mark)`` is what the worker said after it."""
        return len(self.log())

    def log_since(self, mark: int) -> str:
        return self.log()[mark:]

    def wait_for_log(self, pattern: str, *, since: int = 0, timeout: float = 30.0) -> re.Match[str]:
        regex = re.compile(pattern)
        try:
            return wait_until(
                lambda: regex.search(self.log_since(since)),
                timeout=timeout,
                what=f"the worker to log {pattern!r}",
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}. It logged:\n{self.log_since(since)}") from None

    def results(self, *, since: int = 0) -> list[str]:
        """Return values of the tasks that succeeded since ``since``, in order."""
        return re.findall(
            r"Task outbox\.deliver\[[^\]]+\] succeeded in [0-9.e-]+s: '([a-z-]+)'",
            self.log_since(since),
        )
