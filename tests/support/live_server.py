"""A real Portico server in a subprocess (gunicorn), for browser tests and the screenshot tour.

Unlike pytest-django's ``live_server`` (a thread inside the test process, sharing its test
transaction), this is the production WSGI stack on a real port: every request goes through tenant
routing by ``Host``, so ``http://<sub>.portico.localhost:<port>/`` reaches that tenant's schema.
Chromium resolves ``*.localhost`` to loopback by itself; Python code should connect to 127.0.0.1
and send the ``Host`` header (``LiveServer.get``).

The server only sees committed data: callers that write from the test process must use
``django_db_blocker.unblock()`` outside any test transaction.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def free_port() -> int:
    """A TCP port nothing listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """``postgres://`` URL of a Django ``DATABASES`` entry (e.g. the test database in force)."""
    user = quote(str(settings_dict.get("USER") or "postgres"), safe="")
    password = str(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = str(settings_dict.get("HOST") or "127.0.0.1")
    port = str(settings_dict.get("PORT") or "5432")
    name = quote(str(settings_dict["NAME"]), safe="")
    if host.startswith("/"):  # a Unix socket directory
        return f"postgres://{auth}@/{name}?host={quote(host, safe='/')}"
    return f"postgres://{auth}@{host}:{port}/{name}"


def _gunicorn_has_control_socket() -> bool:
    """Gunicorn 25+ opens a control socket at a fixed per-user path unless told not to."""
    from gunicorn import config  # type: ignore[import-untyped]

    return any(setting.name == "control_socket_disable" for setting in config.KNOWN_SETTINGS)


class LiveServerError(RuntimeError):
    """The server did not come up (the message carries the end of its log)."""


@dataclass
class LiveServer:
    """``gunicorn control_plane.wsgi`` on 127.0.0.1:``port`` against ``database_url``.

    Use as a context manager, or call ``start()`` / ``stop()``. The server gets its own
    environment: the given database, Redis (db 15 by default), in-memory e-mail, queued Celery
    tasks, development mode over plain HTTP, and ``PORTICO_PORT_SUFFIX=":<port>"`` so the
    redirects it builds (sign-up → the new portal) keep the port.
    """

    database_url: str
    port: int = 0
    redis_url: str = DEFAULT_REDIS_URL
    media_root: Path | None = None
    log_path: Path | None = None
    public_host: str = "portico.localhost"
    base_domain: str = "portico.localhost"
    threads: int = 8
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _log: IO[bytes] | None = field(default=None, init=False, repr=False)

    # --- URLs -------------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        return f"http://{self.public_host}:{self.port}"

    def url(self, path: str = "/", *, subdomain: str | None = None) -> str:
        """Absolute URL on the control plane, or on ``<subdomain>.<base domain>``."""
        host = self.public_host if subdomain is None else f"{subdomain}.{self.base_domain}"
        return f"http://{host}:{self.port}{path}"

    # --- Life cycle -------------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "control_plane.settings",
                "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
                "PYTHONUNBUFFERED": "1",
                "PORTICO_ENV": "development",
                "SECURE_COOKIES": "false",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "EMAIL_BACKEND": "locmem",
                "CELERY_EAGER": "false",
                # As in the test process (root conftest): staff may sign in with a password
                # alone; tests/browser/test_totp.py sets TOTP up in the browser itself.
                "TOTP_REQUIRED_FOR_STAFF": "false",
                "PORTICO_BASE_DOMAIN": self.base_domain,
                "PORTICO_PUBLIC_HOST": self.public_host,
                "PORTICO_PORT_SUFFIX": f":{self.port}",
            }
        )
        if self.media_root is not None:
            env["MEDIA_ROOT"] = str(self.media_root)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 30.0) -> LiveServer:
        if self.process is not None:
            raise LiveServerError("the server is already running")
        if not self.port:
            self.port = free_port()
        if self.media_root is not None:
            self.media_root.mkdir(parents=True, exist_ok=True)
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("wb")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "control_plane.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--threads",
            str(self.threads),
            "--timeout",
            "120",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
        ]
        if _gunicorn_has_control_socket():
            # One control socket per user is the default: a second server would take it over.
            command.append("--no-control-socket")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.environment(),
            stdout=self._log if self._log is not None else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last_problem = "no answer yet"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise LiveServerError(
                    f"the server exited with code {self.process.returncode} before answering "
                    f"/healthz.\n{self.log_tail()}"
                )
            try:
                status, body = self.get("/healthz")
            except OSError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if status == 200:
                    return
                last_problem = f"HTTP {status}: {body[:300]!r}"
            time.sleep(0.2)
        raise LiveServerError(
            f"the server on port {self.port} was not healthy within {timeout:.0f} s "
            f"({last_problem}).\n{self.log_tail()}"
        )

    def get(self, path: str, *, host: str | None = None) -> tuple[int, bytes]:
        """GET ``path`` from the server with ``Host: <host or the control plane>``."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path, headers={"Host": f"{host or self.public_host}:{self.port}"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no server log: pass log_path to keep one)"
        if self._log is not None:
            self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return f"--- last lines of {self.log_path} ---\n" + "\n".join(text)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gunicorn gracefully (SIGTERM), then its whole process group if it lingers.

        Its database connections close with it, so the test database can be dropped after."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
