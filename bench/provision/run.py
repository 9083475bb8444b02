"""Seconds to provision one tenant with the full schema, by strategy, with a phase breakdown.

    .venv/bin/python bench/provision/run.py [--clone 10] [--migrate 5]

Calls ``tenants.services.tenant_provision`` in-process (as the sign-up view does) on a fresh
database with a migrated template. The first clone of the process builds the clone script; it
is reported apart and left out of the median. Phases are timed by wrapping the service's own
functions in this process (no app code is changed): validation, the template check, schema work
(clone + verify, or migrate), populating the tenant (theme, admin, audit, e-mail), and the
PBKDF2 hashing inside it; "rest" is the tenant/domain rows, audit entry and commit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, phases  # noqa: E402

common.use_database("provision")


def provision_one(sub: str, strategy: str) -> dict[str, float]:
    return phases.provision_timed(sub, common.PASSWORD, strategy)


def hash_alone(runs: int = 5) -> tuple[float, int, str]:
    from django.contrib.auth.hashers import get_hasher, make_password

    hasher = get_hasher("default")
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        make_password(common.PASSWORD)
        samples.append(time.perf_counter() - started)
    return common.median(samples), int(getattr(hasher, "iterations", 0)), hasher.algorithm


def table_count(schema: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", [schema])
        return int(cursor.fetchone()[0])


def markdown(data: dict[str, Any]) -> str:
    meta = data["meta"]
    lines = [
        "# Provisioning one tenant",
        "",
        "`.venv/bin/python bench/provision/run.py` (see bench/README.md): "
        "`tenants.services.tenant_provision` in-process, fresh database, migrated template.",
        f"Commit {meta['machine']['commit']}, {meta['machine']['at']}, "
        f"{meta['machine']['cpus']} CPUs; {meta['tables']} tables per tenant schema. "
        "Goal: median ≤ 1.0 s.",
        "",
    ]
    rows = []
    for strategy, result in data["strategies"].items():
        totals = [run["total"] for run in result["runs"]]
        rows.append(
            [
                strategy,
                len(totals),
                f"{common.median(totals):.3f}",
                f"{min(totals):.3f}",
                f"{max(totals):.3f}",
                f"{common.median([run['python_cpu'] for run in result['runs']]):.3f}",
            ]
        )
    lines.append(
        common.md_table(
            ["strategy", "n", "median s", "min s", "max s", "median Python CPU s"], rows
        )
    )
    busy = ", ".join(
        f"{name} {result['machine_busy_cores']:.1f}" for name, result in data["strategies"].items()
    )
    lines += [
        "",
        f"Machine busy meanwhile (cores, ours + others', 2 = saturated): {busy}. Python CPU "
        "excludes Postgres and is the figure least moved by other load.",
        "",
        "Median seconds per phase:",
        "",
    ]
    headers = ["phase", *data["strategies"].keys()]
    rows = []
    for phase in [*phases.ORDER, "total"]:
        row = [phase]
        for result in data["strategies"].values():
            values = [run.get(phase, 0.0) for run in result["runs"]]
            row.append(f"{common.median(values):.3f}")
        rows.append(row)
    lines.append(common.md_table(headers, rows))
    first = data.get("first_clone")
    if first:
        lines += [
            "",
            f"First clone in a fresh process (builds the clone script): {first['total']:.3f} s "
            f"(clone_schema {first.get('clone_schema', 0):.3f} s); not in the median.",
        ]
    h = data["hash"]
    lines += [
        "",
        f"Password hash alone: {h['algorithm']} with {h['iterations']:,} iterations, "
        f"{h['seconds']:.3f} s per hash (hashed once per provisioning, for the first admin).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clone", type=int, default=10, help="tenants provisioned by clone")
    parser.add_argument("--migrate", type=int, default=5, help="tenants provisioned by migrate")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    print("preparing database …", flush=True)
    common.base_setup()
    common.django_setup()
    from django.db import connections

    data: dict[str, Any] = {"strategies": {}}
    try:
        data["first_clone"] = provision_one("warm", "clone")
        print(f"first clone {data['first_clone']['total']:.3f} s", flush=True)
        for strategy, count in (("clone", args.clone), ("migrate", args.migrate)):
            runs = []
            busy0, wall0 = common.busy_jiffies(), time.perf_counter()
            for i in range(count):
                runs.append(provision_one(f"{strategy}{i:03d}", strategy))
                print(f"{strategy} {i + 1}/{count}: {runs[-1]['total']:.3f} s", flush=True)
            busy = common.busy_cores_since(busy0, wall0)
            data["strategies"][strategy] = {"runs": runs, "machine_busy_cores": busy}
        data["tables"] = table_count("t_clone000" if args.clone else "t_warm")
        seconds, iterations, algorithm = hash_alone()
        data["hash"] = {"seconds": seconds, "iterations": iterations, "algorithm": algorithm}
    finally:
        connections.close_all()
        if not args.keep_db:
            common.db_drop()
    data["meta"] = {"machine": common.machine(), "tables": data["tables"]}
    common.write_results("provision", data, markdown(data))
    for strategy, result in data["strategies"].items():
        totals = [run["total"] for run in result["runs"]]
        print(f"{strategy}: median {common.median(totals):.3f} s over {len(totals)}")


if __name__ == "__main__":
    main()
