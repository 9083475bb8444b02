"""Migrations at scale: ``migrate_schemas`` over many tenants, stock vs a one-query pre-check.

    .venv/bin/python bench/migrate/run.py [--tenants 200] [--full] [--real-hash]

1. Provisions ``--tenants`` tenants by clone through the real ``tenant_provision`` (with a cheap
   password hasher in this process unless ``--real-hash``: PBKDF2 is bench/provision's business),
   timing each phase, to see what grows with the number of schemas.
2. No-op (everything current), each a fresh ``manage.py`` process: ``migrate_schemas``,
   ``-v 0``, ``--executor=multiprocessing``, the app's ``portico_migrate`` (when present) and
   the prototype ``bench/migrate/fast_migrate.py``
   (``--full`` adds ``--skip-checks`` and a stock run at 100 tenants).
3. Where a stock no-op spends its time per schema (cProfile, in-process), and the prototype's
   lag query over 1,000 schemas (shadow schemas holding only ``django_migrations``).
4. A real migration on every schema: ``migrate_schemas --tenant api zero`` then ``api``
   (drops and re-creates ``api_apikey``; refused unless that table is empty everywhere), stock
   multiprocessing, then the prototype and ``portico_migrate`` each bringing every schema
   forward after ``api zero``
   (``--full`` adds the standard executor for both).
5. Partial lag: ``api`` rolled back in 10 tenants; stock vs ``portico_migrate`` vs the
   prototype.

Extrapolates to 1,000 tenants linearly from the per-schema cost. Creates and drops its own DB.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, phases  # noqa: E402

common.use_database("migrate")

FAST = Path(__file__).with_name("fast_migrate.py")
PARTIAL = 10
STARTUP = "manage.py shell -c '' (start-up only)"


def has_portico_migrate() -> bool:
    """The app's own command (tenants/management/commands/portico_migrate.py), if present."""
    import importlib.util

    return importlib.util.find_spec("tenants.management.commands.portico_migrate") is not None


def fast(*args: str) -> tuple[common.Timing, dict[str, Any]]:
    """Run the prototype in a fresh process; its timing and its JSON line."""
    timing = common.run_timed([str(common.PYTHON), str(FAST), *args])
    stdout = common.run_timed.last_stdout  # type: ignore[attr-defined]
    return timing, json.loads(stdout.strip().splitlines()[-1])


def lag_now() -> dict[str, int]:
    from django.db import connection

    from bench.migrate import fast_migrate

    lag = fast_migrate.lagging_schemas(
        fast_migrate.all_schemas(), fast_migrate.expected_migrations()
    )
    connection.close()
    return lag


def timed_lag_check() -> float:
    started = time.perf_counter()
    lag = lag_now()
    elapsed = time.perf_counter() - started
    if lag:
        raise SystemExit(f"unexpected lag: {sorted(lag)[:5]}")
    return elapsed


def provision(count: int, data: dict[str, Any], full: bool) -> None:
    from django.db import connection

    runs: list[dict[str, float]] = []
    for i in range(count):
        runs.append(phases.provision_timed(f"t{i:04d}", common.PASSWORD))
        done = i + 1
        if done in (50, 100) or done == count:
            connection.close()
            point: dict[str, Any] = {"fast_check_inprocess_s": timed_lag_check()}
            if full and done == 100 and count > 100:
                point["stock_noop"] = common.manage_timed("migrate_schemas", "--noinput").as_dict()
            data["checkpoints"][done] = point
        if done % 25 == 0:
            print(f"  {done}/{count} tenants, last {runs[-1]['total']:.2f} s", flush=True)
    data["provision"] = runs
    connection.close()


def apikeys_everywhere() -> int:
    """Rows in api_apikey across every schema (must be 0 before rolling ``api`` back)."""
    from django.db import connection
    from psycopg import sql

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'api_apikey' AND c.relkind = 'r'"
        )
        schemas = [row[0] for row in cursor.fetchall()]
        if not schemas:
            return 0
        union = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT count(*) AS n FROM {}.api_apikey").format(sql.Identifier(s))
            for s in schemas
        )
        cursor.execute(sql.SQL("SELECT coalesce(sum(n), 0) FROM ({}) x").format(union))
        count = int(cursor.fetchone()[0])
    connection.close()
    return count


def noop(data: dict[str, Any], full: bool) -> None:
    steps = [
        (STARTUP, ["shell", "-c", ""]),
        ("migrate_schemas", ["migrate_schemas", "--noinput"]),
        ("migrate_schemas -v 0", ["migrate_schemas", "--noinput", "-v", "0"]),
        (
            "migrate_schemas --executor=multiprocessing",
            ["migrate_schemas", "--noinput", "--executor=multiprocessing"],
        ),
    ]
    if full:
        steps.insert(
            2, ("migrate_schemas --skip-checks", ["migrate_schemas", "--noinput", "--skip-checks"])
        )
    runs: dict[str, dict[str, float]] = {}
    for label, args in steps:
        runs[label] = common.manage_timed(*args).as_dict()
        print(f"  {label}: {runs[label]['wall']:.1f} s", flush=True)
    if has_portico_migrate():
        runs["manage.py portico_migrate (app)"] = common.manage_timed("portico_migrate").as_dict()
    timing, info = fast()
    runs["fast_migrate.py (prototype)"] = timing.as_dict()
    data["fast_noop_info"] = info
    data["noop"] = runs


def real_migration(data: dict[str, Any], full: bool) -> None:
    if apikeys_everywhere():
        raise SystemExit("api_apikey has rows somewhere: refusing to roll the api app back")
    real: dict[str, dict[str, float]] = {}
    executors = ("standard", "multiprocessing") if full else ("multiprocessing",)
    for executor in executors:
        flag = f"--executor={executor}"
        for label, target in (("api zero", ["api", "zero"]), ("api forward", ["api"])):
            timing = common.manage_timed("migrate_schemas", "--tenant", "--noinput", flag, *target)
            real[f"stock {executor}: {label}"] = timing.as_dict()
            print(f"  stock {executor} {label}: {timing.wall:.1f} s", flush=True)
    for executor in executors:
        common.manage(
            "migrate_schemas", "--tenant", "--noinput", "--executor=multiprocessing", "api", "zero"
        )
        timing, info = fast(f"--executor={executor}")
        real[f"fast_migrate {executor}: forward ({info['lagging']} lagging)"] = timing.as_dict()
        print(f"  fast {executor}: {timing.wall:.1f} s", flush=True)
    if has_portico_migrate():
        for executor in executors:
            common.manage(
                "migrate_schemas",
                "--tenant",
                "--noinput",
                "--executor=multiprocessing",
                "api",
                "zero",
            )
            timing = common.manage_timed("portico_migrate", f"--executor={executor}")
            real[f"manage.py portico_migrate --executor={executor} (app): forward"] = (
                timing.as_dict()
            )
            print(f"  portico_migrate {executor}: {timing.wall:.1f} s", flush=True)
    remaining = lag_now()
    if remaining:
        raise SystemExit(f"schemas still lag after the real migration: {sorted(remaining)[:5]}")
    data["real"] = real


def partial_lag(data: dict[str, Any], tenants: int, full: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    step = max(tenants // PARTIAL, 1)
    schemas = [f"t_t{i:04d}" for i in range(0, tenants, step)][:PARTIAL]

    def roll_back() -> None:
        for schema in schemas:
            call_command(
                "migrate_schemas",
                "api",
                "zero",
                schema_name=schema,
                interactive=False,
                verbosity=0,
            )
        connection.close()
        lagging = sorted(lag_now())
        if lagging != sorted(schemas):
            raise SystemExit(f"lag check disagrees: {lagging} vs {schemas}")

    partial: dict[str, dict[str, float]] = {}
    stock = [("multiprocessing", "--executor=multiprocessing")]
    if full:
        stock.insert(0, ("standard", "--executor=standard"))
    for name, flag in stock:
        roll_back()
        partial[f"stock migrate_schemas ({name})"] = common.manage_timed(
            "migrate_schemas", "--noinput", flag
        ).as_dict()
    if has_portico_migrate():
        roll_back()
        partial["manage.py portico_migrate (app)"] = common.manage_timed(
            "portico_migrate"
        ).as_dict()
    roll_back()
    timing, info = fast()
    partial[f"fast_migrate standard ({info['lagging']} lagging)"] = timing.as_dict()
    if lag_now():
        raise SystemExit("partial lag left schemas behind")
    data["partial"] = partial


_PROFILE_FUNCS = {
    "system checks (run_checks)": ("checks/registry.py", "run_checks"),
    "migration loader (MigrationLoader.__init__)": ("migrations/loader.py", "__init__"),
    "consistency check (check_consistent_history)": (
        "migrations/loader.py",
        "check_consistent_history",
    ),
    "ensure django_migrations (ensure_schema)": ("migrations/recorder.py", "ensure_schema"),
    "migration plan + state (MigrationExecutor.migrate)": ("migrations/executor.py", "migrate"),
    "model-change autodetector (verbosity >= 1, no-op only)": (
        "migrations/autodetector.py",
        "changes",
    ),
    "render post_migrate apps (StateApps.render_multiple)": (
        "migrations/state.py",
        "render_multiple",
    ),
    "post_migrate signal (content types, permissions)": (
        "core/management/sql.py",
        "emit_post_migrate_signal",
    ),
}


def profile_noop(data: dict[str, Any], tenants: int, schemas: int = 20) -> None:
    """Cumulative ms per schema of the pieces of one no-op migrate (in-process, cProfile,
    verbosity 1 as ``manage.py migrate_schemas`` runs by default)."""
    from django.core.management import call_command
    from django.db import connection

    names = [f"t_t{i:04d}" for i in range(min(schemas, tenants))]
    sink = io.StringIO()
    real_stdout = sys.stdout
    sys.stdout = sink  # django-tenants writes its per-schema lines to sys.stdout
    try:
        call_command("migrate_schemas", schema_name=names[0], interactive=False, stdout=sink)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for schema in names:
            call_command("migrate_schemas", schema_name=schema, interactive=False, stdout=sink)
        profiler.disable()
        wall = time.perf_counter() - started
    finally:
        sys.stdout = real_stdout
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    out: dict[str, float] = {"total per schema (profiled)": 1000 * wall / len(names)}
    for label, (file_suffix, func) in _PROFILE_FUNCS.items():
        cumulative = sum(
            row[3]
            for (filename, _line, name), row in stats.items()
            if name == func and filename.replace("\\", "/").endswith(file_suffix)
        )
        out[label] = 1000 * cumulative / len(names)
    connection.close()
    data["profile_ms_per_schema"] = out


def lag_check_at_scale(data: dict[str, Any], total: int) -> None:
    """Time the lag query over ``total`` schemas using shadow schemas (django_migrations only)."""
    from django.db import connection
    from psycopg import sql

    from bench.migrate import fast_migrate

    real = fast_migrate.all_schemas()
    shadows = [f"shadow_{i:04d}" for i in range(max(total - len(real), 0))]
    with connection.cursor() as cursor:
        for name in shadows:
            cursor.execute(
                sql.SQL(
                    "CREATE SCHEMA {0}; CREATE TABLE {0}.django_migrations AS "
                    "SELECT * FROM public.django_migrations"
                ).format(sql.Identifier(name))
            )
    expected = fast_migrate.expected_migrations()
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        lag = fast_migrate.lagging_schemas([*real, *shadows], expected)
        samples.append(time.perf_counter() - started)
    with connection.cursor() as cursor:
        for name in shadows:
            cursor.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
    connection.close()
    if lag:
        raise SystemExit(f"unexpected lag at scale: {sorted(lag)[:5]}")
    data["lag_check_at_scale"] = {"schemas": len(real) + len(shadows), "seconds": min(samples)}


def catalog_queries(data: dict[str, Any]) -> None:
    """How the catalog queries provisioning runs scale with the number of schemas."""
    from django.db import connection

    queries = {
        "information_schema.columns, one schema (missing_model_columns, _shape)": (
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s"
        ),
        "pg_attribute, one schema (same rows)": (
            "SELECT c.relname, a.attname FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
            "AND a.attnum > 0 AND NOT a.attisdropped"
        ),
    }
    out = {}
    with connection.cursor() as cursor:
        for label, query in queries.items():
            samples = []
            for _ in range(5):
                started = time.perf_counter()
                cursor.execute(query, ["t_t0000"])
                cursor.fetchall()
                samples.append(time.perf_counter() - started)
            out[label] = 1000 * common.median(samples)
    connection.close()
    data["catalog_query_ms"] = out


# --- report ----------------------------------------------------------------------------------


def extrapolate(data: dict[str, Any], tenants: int, target: int = 1000) -> dict[str, float]:
    startup = data["noop"][STARTUP]["wall"]
    out = {}
    for label, run in data["noop"].items():
        if label == STARTUP:
            continue
        per_schema = max(run["wall"] - startup, 0.0) / (tenants + 2)
        out[label] = startup + per_schema * (target + 2)
    if "lag_check_at_scale" in data:
        info = data["fast_noop_info"]
        scale = data["lag_check_at_scale"]
        out["fast_migrate.py (prototype)"] = (
            data["noop"]["fast_migrate.py (prototype)"]["wall"] - info["check_s"] + scale["seconds"]
        )
    return out


def _timing_rows(runs: dict[str, dict[str, float]]) -> list[list[str]]:
    return [
        [label, f"{r['wall']:.1f}", f"{r['cpu']:.1f}", f"{r['busy_cores']:.1f}"]
        for label, r in runs.items()
    ]


_TIMING_HEADERS = ["run", "wall s", "CPU s (process tree)", "machine busy (cores)"]


def markdown(data: dict[str, Any]) -> str:
    meta = data["meta"]
    n = meta["tenants"]
    lines = [
        "# Migrations over many tenants",
        "",
        "`.venv/bin/python bench/migrate/run.py` (see bench/README.md). Every figure is a fresh",
        "process (Python start-up and `django.setup()` included) unless marked in-process.",
        f"{n} tenants + the template + public = {n + 2} schemas. Commit "
        f"{meta['machine']['commit']}, {meta['machine']['at']}, {meta['machine']['cpus']} CPUs.",
        '"CPU s" is the command\'s own CPU (workers included, Postgres excluded); "machine '
        "busy\" is the average number of busy cores meanwhile, ours and others' (2 = saturated).",
        "Goals: no-op ≤ 10 s at 200 tenants; ≤ 2 min at 1,000.",
        "",
        f"## No-op (nothing to migrate), {n} tenants",
        "",
    ]
    extra = extrapolate(data, n)
    rows = [
        [*row, f"{extra[row[0]]:.0f}" if row[0] in extra else ""]
        for row in _timing_rows(data["noop"])
    ]
    lines.append(common.md_table([*_TIMING_HEADERS, "1,000 tenants (linear, s)"], rows))
    info = data["fast_noop_info"]
    checkpoints = ", ".join(
        f"{k} tenants {v['fast_check_inprocess_s'] * 1000:.0f} ms"
        for k, v in data["checkpoints"].items()
    )
    lines += [
        "",
        f"Prototype: django.setup {info['setup_s']:.2f} s, then one lag query over "
        f"{info['schemas']} schemas ({info['expected']} migrations expected in each) "
        f"{info['check_s'] * 1000:.0f} ms. In-process lag check (loader + tenant list + query) "
        f"as tenants were added: {checkpoints}.",
    ]
    if "lag_check_at_scale" in data:
        scale = data["lag_check_at_scale"]
        lines += [
            f"The lag query over {scale['schemas']} schemas ({n + 2} real + shadow schemas "
            f"holding only a copy of django_migrations): {scale['seconds'] * 1000:.0f} ms "
            "in-process; its 1,000-tenant estimate above uses this.",
        ]
    stock100 = data["checkpoints"].get(100, {}).get("stock_noop")
    if stock100:
        lines += [f"Stock no-op at 100 tenants: {stock100['wall']:.1f} s."]
    if "profile_ms_per_schema" in data:
        lines += [
            "",
            "## Where a stock no-op spends its time (ms per schema, in-process, nested)",
            "",
        ]
        lines.append(
            common.md_table(
                ["part", "ms/schema"],
                [[k, f"{v:.1f}"] for k, v in data["profile_ms_per_schema"].items()],
            )
        )
    if "real" in data:
        lines += [
            "",
            f"## A real migration on every tenant schema ({n + 1}: tenants + template)",
            "",
            "`api` has one migration (create `api_apikey`, empty here): rolled back and forward.",
            "",
            common.md_table(_TIMING_HEADERS, _timing_rows(data["real"])),
        ]
    if "partial" in data:
        lines += [
            "",
            f"## Partial lag: `api` rolled back in {PARTIAL} tenants, then migrate everything",
            "",
            common.md_table(_TIMING_HEADERS, _timing_rows(data["partial"])),
        ]
    prov = data["provision"]
    head, tail = prov[:10], prov[-10:]
    hasher = "PBKDF2 (real)" if meta["real_hash"] else "MD5 (bench-only, PBKDF2 excluded)"
    lines += [
        "",
        f"## Provisioning as the schema count grows (clone, real `tenant_provision`, {hasher})",
        "",
    ]
    rows = []
    for phase in [*phases.ORDER, "total"]:
        a = common.median([r.get(phase, 0.0) for r in head])
        b = common.median([r.get(phase, 0.0) for r in tail])
        if a or b:
            rows.append([phase, f"{a * 1000:.0f}", f"{b * 1000:.0f}"])
    lines.append(common.md_table(["phase", "tenants 1-10 (ms)", f"tenants {n - 9}-{n} (ms)"], rows))
    if "catalog_query_ms" in data:
        lines += ["", f"Catalog queries at {n + 2} schemas (ms):", ""]
        lines.append(
            common.md_table(
                ["query", "ms"], [[k, f"{v:.1f}"] for k, v in data["catalog_query_ms"].items()]
            )
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--full", action="store_true", help="also the slower comparisons")
    parser.add_argument("--real-hash", action="store_true", help="PBKDF2 while provisioning")
    parser.add_argument("--skip-real", action="store_true", help="skip the real migration")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    data: dict[str, Any] = {"checkpoints": {}}
    started = time.perf_counter()
    print("preparing database …", flush=True)
    common.base_setup()
    common.django_setup()
    from django.conf import settings
    from django.db import connections

    if not args.real_hash:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        print(f"provisioning {args.tenants} tenants …", flush=True)
        provision(args.tenants, data, args.full)
        catalog_queries(data)
        print("no-op runs …", flush=True)
        noop(data, args.full)
        profile_noop(data, args.tenants)
        lag_check_at_scale(data, 1002)
        if not args.skip_real:
            print("real migration …", flush=True)
            real_migration(data, args.full)
            print("partial lag …", flush=True)
            partial_lag(data, args.tenants, args.full)
    finally:
        connections.close_all()
        if not args.keep_db:
            common.db_drop()
    data["meta"] = {
        "machine": common.machine(),
        "tenants": args.tenants,
        "real_hash": args.real_hash,
        "full": args.full,
        "run_seconds": time.perf_counter() - started,
    }
    common.write_results("migrate", data, markdown(data))
    print(f"done in {data['meta']['run_seconds']:.0f} s")


if __name__ == "__main__":
    main()
