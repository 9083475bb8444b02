"""Routing overhead: req/s of Portico's tenant routing vs plain Django vs stock django-tenants.

    .venv/bin/python bench/routing/run.py [--rounds 3] [--duration 10] [--worker-class sync]

Starts one gunicorn per configuration (same worker config for all) on loopback, then, round by
round and interleaved, loads each endpoint with ``wrk -t2 -c16`` after a short warm-up:

* ``plain``   - a plain Django project (startproject middleware, no tenants);
* ``bare``    - plain Django with no middleware at all (the floor, for context);
* ``portico`` - Portico's real settings and full MIDDLEWARE, ``Host: alpha.portico.localhost``;
* ``stock``   - the same, with stock ``TenantMainMiddleware`` + stock backend, no SET limiting.

``/bench/ok`` returns "ok" without touching the DB; ``/bench/db`` runs one query on
``sso_user`` in the routed schema (plain: ``public``). Reports the median req/s over rounds,
latency, the servers' CPU per request and the SQL each request issues. Needs ``wrk``
(``apt-get install -y wrk``). Creates and drops its own database; stops every server it started.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

common.use_database("routing")

HOST = "alpha.portico.localhost"
CONFIGS = {
    "plain": "bench.routing.settings_plain",
    "bare": "bench.routing.settings_bare",
    "portico": "bench.routing.settings_portico",
    "stock": "bench.routing.settings_stock",
}
ENDPOINTS = [  # (config, path), measured in this order every round
    ("plain", "/bench/ok"),
    ("bare", "/bench/ok"),
    ("portico", "/bench/ok"),
    ("stock", "/bench/ok"),
    ("plain", "/bench/db"),
    ("portico", "/bench/db"),
    ("stock", "/bench/db"),
]
EXPECTED_BODY = {"plain": "public", "bare": "public", "portico": "t_alpha", "stock": "t_alpha"}
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Sample:
    rps: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    cpu_ms_per_req: float
    foreign_cores: float = 0.0  # CPU used meanwhile by processes that are not this bench's


@dataclass
class Endpoint:
    config: str
    path: str
    samples: list[Sample] = field(default_factory=list)


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM the gunicorn master if this script dies, even by
    SIGKILL (Linux ``PR_SET_PDEATHSIG``), so no server outlives the bench."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_server(name: str, args: argparse.Namespace, logdir: Path) -> Server:
    port = free_port()
    log = logdir / f"{name}.log"
    cmd = [
        str(common.PYTHON),
        "-m",
        "gunicorn",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--log-level",
        "warning",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
    ]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.threads)]
    cmd.append("bench.routing.wsgi:application")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=common.bench_env(DJANGO_SETTINGS_MODULE=CONFIGS[name]),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    return Server(name=name, port=port, proc=proc, log=log)


def stop_server(server: Server) -> None:
    """Stop the gunicorn master we started (its own process group) and its workers."""
    if server.proc.poll() is not None:
        return
    try:
        os.killpg(server.proc.pid, signal.SIGTERM)
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def get(server: Server, path: str, host: str = HOST) -> tuple[int, str]:
    request = urllib.request.Request(server.url + path, headers={"Host": host})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def wait_ready(server: Server, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            break
        try:
            status, _ = get(server, "/bench/ok")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.stderr.write(server.log.read_text()[-3000:])
    raise SystemExit(f"{server.name}: gunicorn did not come up")


def sanity_check(servers: dict[str, Server]) -> None:
    """Each endpoint answers what it should; Portico really routes (unknown host → 404)."""
    for name, path in ENDPOINTS:
        status, body = get(servers[name], path)
        want = "ok" if path.endswith("/ok") else EXPECTED_BODY[name]
        if status != 200 or not body.startswith(want):
            raise SystemExit(f"{name} {path}: got {status} {body[:200]!r}, wanted {want!r}")
    for name in ("portico", "stock"):
        status, _ = get(servers[name], "/bench/ok", host="nobody.portico.localhost")
        if status != 404:
            raise SystemExit(f"{name}: unknown host answered {status}, not 404")


def _proc_stats() -> dict[int, tuple[int, float]]:
    """``{pid: (ppid, utime + stime seconds)}`` for every process we can read."""
    out: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        out[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK)
    return out


def bench_pg_pids() -> set[int]:
    """Postgres backends connected to the bench database (their CPU is ours, not foreign)."""
    import psycopg

    with psycopg.connect(common.DATABASE_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return {int(row[0]) for row in rows}


def cpu_split(server_pid: int, pg_pids: set[int]) -> tuple[float, float]:
    """(CPU seconds of the gunicorn tree, CPU seconds of the bench's Postgres backends)."""
    stats = _proc_stats()
    server = sum(cpu for pid, (ppid, cpu) in stats.items() if server_pid in (pid, ppid))
    pg = sum(stats[pid][1] for pid in pg_pids if pid in stats)
    return server, pg


def _cpu_times() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def wait_quiet(max_wait: float, threshold: float = 0.15) -> float:
    """Wait (up to ``max_wait`` s) for a second in which the machine is < ``threshold`` busy;
    return the last busy fraction seen. Other work on a 2-core box skews req/s badly."""
    deadline = time.monotonic() + max_wait
    while True:
        busy0, total0 = _cpu_times()
        time.sleep(1.0)
        busy1, total1 = _cpu_times()
        busy = (busy1 - busy0) / max(total1 - total0, 1)
        if busy < threshold or time.monotonic() >= deadline:
            return round(busy, 3)


# --- load ------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _latency_ms(output: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def wrk(server: Server, path: str, duration: int, args: argparse.Namespace) -> Sample:
    cmd = [
        args.wrk,
        f"-t{args.threads_wrk}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "--latency",
        "-H",
        f"Host: {HOST}",
        server.url + path,
    ]
    pg_pids = bench_pg_pids()
    server0, pg0 = cpu_split(server.proc.pid, pg_pids)
    busy0, _ = _cpu_times()
    wrk0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    elapsed = time.perf_counter() - started
    wrk1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1, _ = _cpu_times()
    server1, pg1 = cpu_split(server.proc.pid, pg_pids | bench_pg_pids())
    cpu = server1 - server0
    ours = cpu + (pg1 - pg0) + (wrk1.ru_utime - wrk0.ru_utime) + (wrk1.ru_stime - wrk0.ru_stime)
    foreign = max((busy1 - busy0) / CLK_TCK - ours, 0.0) / elapsed
    out = proc.stdout
    if proc.returncode != 0 or "Requests/sec" not in out:
        raise SystemExit(f"wrk failed on {server.name} {path}: {out}{proc.stderr}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Sample(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        requests=requests,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in sock.groups()) if sock else 0,
        p50_ms=_latency_ms(out, "50"),
        p99_ms=_latency_ms(out, "99"),
        cpu_ms_per_req=1000 * cpu / requests if requests else float("nan"),
        foreign_cores=round(foreign, 3),
    )


# --- set-up ----------------------------------------------------------------------------------


def prepare_database() -> None:
    common.base_setup()
    common.django_setup()
    from django.db import connections

    from tenants.services import SignupRequest, tenant_provision

    for sub in ("alpha", "beta"):
        tenant_provision(
            actor=None,
            request=SignupRequest(
                f"{sub.title()} Supplies",
                sub,
                "Bench Admin",
                f"admin@{sub}.test",
                common.PASSWORD,
            ),
        )
    connections.close_all()


def count_queries() -> dict[str, Any]:
    paths = sorted({path for _, path in ENDPOINTS})
    out: dict[str, Any] = {}
    for name, module in CONFIGS.items():
        proc = subprocess.run(
            [str(common.PYTHON), str(Path(__file__).with_name("count_queries.py")), HOST, *paths],
            cwd=ROOT,
            env=common.bench_env(DJANGO_SETTINGS_MODULE=module),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"count_queries {name} failed: {proc.stderr[-3000:]}")
        out[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def inprocess(count: int, repeats: int = 3) -> dict[str, Any]:
    """CPU/wall µs per request through the WSGI handler, no network (bench/routing/inprocess.py).

    The configurations take turns ``repeats`` times and the lowest figure of each is kept, so a
    burst of other load on the machine hits one turn, not one configuration."""
    paths = sorted({path for _, path in ENDPOINTS})
    out: dict[str, Any] = {}
    for _ in range(repeats):
        for name, module in CONFIGS.items():
            proc = subprocess.run(
                [
                    str(common.PYTHON),
                    str(Path(__file__).with_name("inprocess.py")),
                    HOST,
                    str(count),
                    *paths,
                ],
                cwd=ROOT,
                env=common.bench_env(DJANGO_SETTINGS_MODULE=module),
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if proc.returncode != 0:
                raise SystemExit(f"inprocess {name} failed: {proc.stderr[-3000:]}")
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            best = out.setdefault(name, result)
            for path, figures in result.items():
                for key in ("cpu_us", "wall_us"):
                    best[path][key] = min(best[path][key], figures[key])
    for name, result in out.items():
        print(f"in-process {name:8} {result}", flush=True)
    return out


# --- report ----------------------------------------------------------------------------------


def summarise(endpoints: list[Endpoint]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        key = f"{ep.config} {ep.path}"
        summary[key] = {
            "config": ep.config,
            "path": ep.path,
            "rps_median": round(common.median([s.rps for s in ep.samples]), 1),
            "rps_rounds": [round(s.rps, 1) for s in ep.samples],
            "p50_ms": round(common.median([s.p50_ms for s in ep.samples]), 2),
            "p99_ms": round(common.median([s.p99_ms for s in ep.samples]), 2),
            "cpu_ms_per_req": round(common.median([s.cpu_ms_per_req for s in ep.samples]), 3),
            "non_2xx": sum(s.non_2xx for s in ep.samples),
            "socket_errors": sum(s.socket_errors for s in ep.samples),
        }
    by_key = {f"{ep.config} {ep.path}": ep for ep in endpoints}

    def ratio(ep: Endpoint, base: Endpoint | None) -> float | None:
        # Median of per-round ratios: each pair was measured a few seconds apart, so drifting
        # background load on a shared machine cancels out better than in a ratio of medians.
        if base is None:
            return None
        pairs = zip(ep.samples, base.samples, strict=True)
        return round(common.median([a.rps / b.rps for a, b in pairs]), 3)

    for key, row in summary.items():
        ep = by_key[key]
        base = by_key.get(f"plain {ep.path}")
        row["ratio_vs_plain"] = ratio(ep, base)
        bare = by_key.get("bare /bench/ok")
        row["ratio_vs_bare"] = ratio(ep, bare) if key.endswith("/ok") else None
        row["cpu_ratio_vs_plain"] = (
            round(summary[f"plain {ep.path}"]["cpu_ms_per_req"] / row["cpu_ms_per_req"], 3)
            if base
            else None
        )
    return summary


def run_label(args: argparse.Namespace) -> str:
    extra = f"x{args.threads}" if args.worker_class == "gthread" else ""
    return f"{args.workers} {args.worker_class}{extra}"


def markdown(all_runs: dict[str, Any]) -> str:
    parts = [
        "# Routing overhead (req/s through gunicorn on loopback)",
        "",
        "`.venv/bin/python bench/routing/run.py` (see bench/README.md). Median of interleaved",
        'rounds; "x plain" is the median of per-round ratios to plain Django on the same path',
        '("x bare": to Django without middleware). `/bench/ok` touches no DB; `/bench/db` runs',
        "one query in the routed schema. CPU ms/req is the gunicorn processes' user+sys time per",
        "request (Postgres and wrk excluded); \"CPU x plain\" = plain's CPU/req / this one's,",
        "a throughput ratio that background load on a shared machine distorts less.",
        "Goal: portico ≥ 0.80 x plain.",
    ]
    for label, run in all_runs.items():
        meta = run["meta"]
        parts += [
            "",
            f"## gunicorn {label} workers — wrk -t{meta['wrk_threads']} -c{meta['connections']} "
            f"-d{meta['duration_s']}s, {meta['rounds']} rounds",
            "",
            f"Commit {meta['machine']['commit']}, {meta['machine']['at']}, "
            f"{meta['machine']['cpus']} CPUs. CPU used by other processes during the kept "
            f"measurements (cores; a measurement above {meta['max_foreign']} is retried, up to "
            f"{meta['attempts']} tries): median "
            f"{common.median(meta['foreign_cores_each_measurement']):.2f}, max "
            f"{max(meta['foreign_cores_each_measurement']):.2f}.",
            "",
        ]
        rows = []
        for row in run["summary"].values():
            queries = run["queries"][row["config"]][row["path"]]["queries"]
            rows.append(
                [
                    row["config"],
                    row["path"],
                    f"{row['rps_median']:.0f}",
                    " / ".join(f"{r:.0f}" for r in row["rps_rounds"]),
                    f"{row['ratio_vs_plain']:.2f}" if row["ratio_vs_plain"] else "",
                    f"{row['ratio_vs_bare']:.2f}" if row["ratio_vs_bare"] else "",
                    f"{row['p50_ms']:.1f} / {row['p99_ms']:.1f}",
                    f"{row['cpu_ms_per_req']:.2f}",
                    f"{row['cpu_ratio_vs_plain']:.2f}" if row["cpu_ratio_vs_plain"] else "",
                    str(len(queries)),
                    str(row["non_2xx"] + row["socket_errors"]),
                ]
            )
        parts.append(
            common.md_table(
                [
                    "config",
                    "path",
                    "req/s",
                    "rounds",
                    "x plain",
                    "x bare",
                    "p50/p99 ms",
                    "CPU ms/req",
                    "CPU x plain",
                    "SQL/req",
                    "errors",
                ],
                rows,
            )
        )
        ip = run["inprocess"]
        parts += [
            "",
            "In-process (Django's WSGI handler called in a loop, no network, no gunicorn; best "
            "of 3 batches in each of 3 interleaved runs): CPU µs per request and the ratio "
            "plain/this, the throughput ratio for a CPU-bound server.",
            "",
        ]
        ip_rows = []
        for name in CONFIGS:
            for path in sorted(ip[name]):
                cpu = ip[name][path]["cpu_us"]
                ref = ip["plain"][path]["cpu_us"]
                ip_rows.append(
                    [
                        name,
                        path,
                        f"{cpu:.0f}",
                        f"{ip[name][path]['wall_us']:.0f}",
                        f"{ref / cpu:.2f}",
                        f"{cpu - ref:+.0f}",
                    ]
                )
        parts.append(
            common.md_table(
                ["config", "path", "CPU µs/req", "wall µs/req", "x plain", "µs vs plain"], ip_rows
            )
        )
        parts += ["", "SQL of one warm request:", ""]
        for config, paths in run["queries"].items():
            for path, info in paths.items():
                statements = "; ".join(f"`{q}`" for q in info["queries"]) or "none"
                parts.append(f"- {config} {path}: {statements}")
    return "\n".join(parts)


def measure(servers: dict[str, Server], args: argparse.Namespace) -> list[Endpoint]:
    """Interleaved rounds; a measurement during which other processes used more than
    ``--max-foreign`` cores is repeated (up to ``--attempts``), keeping the least disturbed."""
    for config, path in ENDPOINTS:  # one warm-up pass over everything
        wrk(servers[config], path, args.warmup + 1, args)
    endpoints = [Endpoint(config, path) for config, path in ENDPOINTS]
    for round_no in range(1, args.rounds + 1):
        for ep in endpoints:
            server = servers[ep.config]
            attempts: list[Sample] = []
            retries_until = args.started + args.retry_window
            while len(attempts) < (args.attempts if time.monotonic() < retries_until else 1):
                wait_quiet(args.quiet_wait)
                wrk(server, ep.path, args.warmup, args)
                attempts.append(wrk(server, ep.path, args.duration, args))
                if attempts[-1].foreign_cores <= args.max_foreign:
                    break
            sample = min(attempts, key=lambda a: a.foreign_cores)
            ep.samples.append(sample)
            print(
                f"round {round_no} {ep.config:8} {ep.path:10} {sample.rps:8.0f} req/s "
                f"p50 {sample.p50_ms:.1f} ms  cpu {sample.cpu_ms_per_req:.2f} ms/req "
                f"(foreign load {sample.foreign_cores:.2f} cores, attempt {len(attempts)})",
                flush=True,
            )
    return endpoints


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads-wrk", type=int, default=2)
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=5,
        help="max seconds to wait for an idle machine before each measurement",
    )
    parser.add_argument(
        "--attempts",
        type=int,
        default=2,
        help="tries per measurement while other processes load the machine",
    )
    parser.add_argument(
        "--max-foreign",
        type=float,
        default=0.2,
        help="foreign CPU (cores) above which a measurement is repeated",
    )
    parser.add_argument("--inprocess-requests", type=int, default=1000)
    parser.add_argument("--max-seconds", type=int, default=1200, help="hard limit for the run")
    parser.add_argument(
        "--retry-window",
        type=float,
        default=300,
        help="seconds after the start during which disturbed measurements are retried",
    )
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    args.started = time.monotonic()
    if not shutil.which(args.wrk):
        raise SystemExit("wrk not found: apt-get update && apt-get install -y wrk")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks

    def out_of_time(*_: object) -> None:
        raise SystemExit(f"time limit of {args.max_seconds} s reached; stopping")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.max_seconds)
    servers: dict[str, Server] = {}
    logdir = Path(tempfile.mkdtemp(prefix="portico-bench-routing-"))
    try:
        print("preparing database …", flush=True)
        prepare_database()
        queries = count_queries()
        for name in CONFIGS:
            servers[name] = start_server(name, args, logdir)
        for server in servers.values():
            wait_ready(server)
        sanity_check(servers)
        endpoints = measure(servers, args)
        for server in servers.values():
            stop_server(server)
        per_request = inprocess(args.inprocess_requests)
    finally:
        for server in servers.values():
            stop_server(server)
        if not args.keep_db:
            common.db_drop()
        shutil.rmtree(logdir, ignore_errors=True)

    summary = summarise(endpoints)
    run = {
        "meta": {
            "machine": common.machine(),
            "foreign_cores_each_measurement": sorted(
                s.foreign_cores for ep in endpoints for s in ep.samples
            ),
            "rounds": args.rounds,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "wrk_threads": args.threads_wrk,
            "gunicorn": run_label(args),
            "quiet_wait_s": args.quiet_wait,
            "attempts": args.attempts,
            "max_foreign": args.max_foreign,
        },
        "summary": summary,
        "queries": queries,
        "inprocess": per_request,
    }
    path = common.RESULTS / "routing.json"
    all_runs = json.loads(path.read_text()) if path.exists() else {}
    all_runs[run_label(args)] = run
    common.write_results("routing", all_runs, markdown(all_runs))
    for key, row in summary.items():
        print(f"{key:22} {row['rps_median']:8.0f} req/s  x plain {row['ratio_vs_plain']}")


if __name__ == "__main__":
    main()
