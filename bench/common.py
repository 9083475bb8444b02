"""Shared plumbing for the benchmark scripts: a throw-away database, ``manage.py``, results.

Every bench runs against its own database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/portico_bench_<bench>``) and Redis db 14
(``BENCH_REDIS_URL``), never the developer's.
The database is dropped and re-created at the start of a run and dropped at its end
(``--keep-db`` keeps it for inspection).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
if not PYTHON.exists():  # a clone whose virtualenv lives elsewhere
    PYTHON = Path(sys.executable)
MANAGE = ROOT / "manage.py"

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portico_bench"
)


def use_database(suffix: str) -> None:
    """Give this bench its own database (``portico_bench_<suffix>``) unless one was imposed."""
    global DATABASE_URL
    if "BENCH_DATABASE_URL" not in os.environ:
        DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/portico_bench_{suffix}"


REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PASSWORD = "Bench-Horse-Battery-42"  # noqa: S105  (throw-away tenants in a throw-away DB)


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of every process a bench starts (production-like: DEBUG off)."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "control_plane.settings",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "locmem",
            # benchmarks sign staff in with a password alone (sign-in is not what they measure)
            "TOTP_REQUIRED_FOR_STAFF": "false",
            "CELERY_EAGER": "false",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
        }
    )
    env.update(extra)
    return env


def _db_name() -> str:
    return urlsplit(DATABASE_URL).path.lstrip("/")


def _admin_url() -> str:
    parts = urlsplit(DATABASE_URL)
    return parts._replace(path="/postgres").geturl()


def db_recreate() -> None:
    """Drop and create the bench database (refuses any name not containing ``bench``)."""
    import psycopg
    from psycopg import sql

    name = _db_name()
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: bench databases must contain 'bench'")
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def db_drop() -> None:
    import psycopg
    from psycopg import sql

    name = _db_name()
    if "bench" not in name:
        return
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def redis_flush() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


@dataclass(frozen=True)
class Timing:
    """One child process: wall seconds, its CPU seconds (user + sys, descendants included) and
    how many cores the whole machine kept busy meanwhile (ours + everyone else's)."""

    wall: float
    cpu: float
    busy_cores: float

    def as_dict(self) -> dict[str, float]:
        return {"wall": self.wall, "cpu": self.cpu, "busy_cores": self.busy_cores}


def busy_jiffies() -> int:
    """Busy CPU time of the whole machine so far, in clock ticks (all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]


def busy_cores_since(jiffies0: int, wall0: float) -> float:
    """Average busy cores since ``busy_jiffies()`` returned ``jiffies0`` at ``wall0``."""
    elapsed = max(time.perf_counter() - wall0, 1e-9)
    return (busy_jiffies() - jiffies0) / os.sysconf("SC_CLK_TCK") / elapsed


def run_timed(cmd: list[str], timeout: float = 900, env: dict[str, str] | None = None) -> Timing:
    """Run ``cmd`` (cwd = repo root, bench environment); raise SystemExit if it fails."""
    usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0 = busy_jiffies()
    started = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env=env or bench_env(),
        timeout=timeout,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    busy = busy_cores_since(busy0, started)
    usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"{' '.join(cmd[-6:])} failed with {proc.returncode}")
    run_timed.last_stdout = proc.stdout  # type: ignore[attr-defined]
    return Timing(wall=wall, cpu=cpu, busy_cores=busy)


def manage_timed(*args: str, timeout: float = 900) -> Timing:
    """``manage.py <args>`` in a fresh process (start-up included)."""
    return run_timed([str(PYTHON), str(MANAGE), *args], timeout=timeout)


def manage(*args: str, timeout: float = 900) -> float:
    """``manage.py <args>`` in a fresh process; its wall time in seconds."""
    return manage_timed(*args, timeout=timeout).wall


def base_setup() -> None:
    """Fresh database: shared migrations, control-plane tenant, migrated template schema."""
    db_recreate()
    redis_flush()
    manage("migrate_schemas", "--shared", "--noinput")
    manage("portico_bootstrap")


def django_setup() -> None:
    """Configure Django in this process with the bench environment (for in-process benches)."""
    for key, value in bench_env().items():
        if key != "PYTHONPATH":
            os.environ[key] = value
    for path in (str(ROOT / "platform"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def git_commit() -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return proc.stdout.strip() + ("+dirty" if dirty else "")


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": git_commit(),
        "at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_results(name: str, data: dict[str, Any], markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown.rstrip() + "\n")
    print(f"wrote {RESULTS / (name + '.md')} and {name}.json")


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as t: ...`` then ``t[0]`` is the elapsed seconds."""
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
