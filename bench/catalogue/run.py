"""Priced catalogue: req/s of the buyer's catalogue page and API list vs a plain Django view,
and search latency over 100,000 products.

    .venv/bin/python bench/catalogue/run.py [--rounds 3] [--duration 10] [--keep-db]

Builds its own database (``portico_bench_cat``; Redis ``BENCH_REDIS_URL``, default db 9) with a
tenant ``bench`` (10,000 products, 50 price lists with volume breaks, 500 companies with 1–3
assigned lists and 20 contract prices each; bench/catalogue/generate.py) and a tenant
``search`` (100,000 products). Starts gunicorn (2 sync workers, like bench/routing) for Portico
and for a plain Django project on loopback, signs the bench buyer in over HTTP, and loads,
interleaved round by round, with ``wrk -t2 -c16`` (session cookie in a header):

* ``plain``  ``/bench/plain``  - plain Django, startproject middleware, one small query;
* ``html``   ``/catalogue/``   - the priced catalogue page (24 cards) as the buyer;
* ``api``    ``/api/v1/catalogue/products`` - the API list (50 items) as the buyer.

Then, servers stopped, times the real search (``catalogue_page`` with a search text: count,
page, pricing) in-process over the 100,000 products after VACUUM ANALYZE. Writes
bench/results/catalogue.md and .json. Figures, not asserts. Needs ``wrk``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

common.use_database("cat")
common.REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")

GOALS = {"api_ratio": 0.30, "html_ratio": 0.15, "p99_ms": 80.0, "search_p95_ms": 50.0}
SEARCHES = [
    "hex bolt",
    "M8",
    "hex bolt m8 zinc",
    "stainless washer",
    "lock nut M10",
    "wood screw 4.5",
    "drill bit 8",
    "nitrile gloves",
    "safety helmet yellow",
    "ear muffs",
    "acetonitrile hplc",
    "erlenmeyer 500",
    "volumetric flask amber",
    "pipette tips filtered",
    "petri dish",
    "HB933",
    "M8-40",
    "HB933-M8-40-ZP",
    "DIN 933",
    "galvanised",
    "SDS-plus",
    "T75",
    "Atlas",
    "0.22 µm",
    "PTFE",
]


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path


@dataclass
class Sample:
    rps: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    foreign_busy: float


@dataclass
class Endpoint:
    name: str
    server: str
    path: str
    samples: list[Sample] = field(default_factory=list)


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(name: str, settings: str, logdir: Path, workers: int) -> Server:
    port, log = free_port(), logdir / f"{name}.log"
    cmd = [
        str(common.PYTHON),
        "-m",
        "gunicorn",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "bench.catalogue.wsgi:application",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=common.bench_env(DJANGO_SETTINGS_MODULE=settings),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, port, proc, log)


def stop_server(server: Server) -> None:
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


def request(
    server: Server,
    method: str,
    path: str,
    host: str,
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> tuple[int, dict[str, list[str]], str]:
    conn = HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = conn.getresponse()
        found: dict[str, list[str]] = {}
        for key, value in response.getheaders():
            found.setdefault(key.lower(), []).append(value)
        return response.status, found, response.read().decode(errors="replace")
    finally:
        conn.close()


def wait_ready(server: Server, path: str, host: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.proc.poll() is None:
        try:
            status, _, _ = request(server, "GET", path, host)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.stderr.write(server.log.read_text()[-3000:])
    raise SystemExit(f"{server.name}: gunicorn did not come up")


def _cookies(headers: dict[str, list[str]]) -> dict[str, str]:
    out = {}
    for line in headers.get("set-cookie", []):
        name, _, rest = line.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def sign_in(server: Server, host: str, email: str, password: str) -> str:
    """The buyer's session cookie, obtained through the real login form (CSRF included)."""
    status, headers, html = request(server, "GET", "/login/", host)
    cookies = _cookies(headers)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if status != 200 or not match:
        raise SystemExit(f"login page: {status}")
    body = urllib.parse.urlencode(
        {"email": email, "password": password, "csrfmiddlewaretoken": match.group(1)}
    )
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    status, headers, _ = request(
        server,
        "POST",
        "/login/",
        host,
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        body,
    )
    session = {**cookies, **_cookies(headers)}
    if status != 302:
        raise SystemExit(f"login refused: {status}")
    return "; ".join(f"{k}={v}" for k, v in session.items())


# --- load ----------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def _busy() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def wait_quiet(max_wait: float, threshold: float = 0.25) -> float:
    """Wait up to ``max_wait`` s for a second in which the machine is < ``threshold`` busy."""
    deadline = time.monotonic() + max_wait
    while True:
        b0, t0 = _busy()
        time.sleep(1.0)
        b1, t1 = _busy()
        busy = (b1 - b0) / max(t1 - t0, 1)
        if busy < threshold or time.monotonic() >= deadline:
            return round(busy, 3)


def wrk(
    args: argparse.Namespace, server: Server, path: str, headers: dict[str, str], duration: int
) -> Sample:
    cmd = [
        args.wrk,
        f"-t{args.threads_wrk}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    cmd.append(f"http://127.0.0.1:{server.port}{path}")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    out = proc.stdout
    if proc.returncode != 0 or "Requests/sec" not in out:
        raise SystemExit(f"wrk failed on {server.name} {path}: {out}{proc.stderr}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Sample(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        errors=(int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(g) for g in sock.groups()) if sock else 0),
        p50_ms=_latency(out, "50"),
        p99_ms=_latency(out, "99"),
        foreign_busy=0.0,
    )


def measure(
    args: argparse.Namespace,
    servers: dict[str, Server],
    endpoints: list[Endpoint],
    headers: dict[str, dict[str, str]],
) -> None:
    for ep in endpoints:
        wrk(args, servers[ep.server], ep.path, headers[ep.name], args.warmup + 1)
    for round_no in range(1, args.rounds + 1):
        for ep in endpoints:
            busy = wait_quiet(args.quiet_wait)
            wrk(args, servers[ep.server], ep.path, headers[ep.name], args.warmup)
            sample = wrk(args, servers[ep.server], ep.path, headers[ep.name], args.duration)
            sample.foreign_busy = busy
            ep.samples.append(sample)
            print(
                f"round {round_no} {ep.name:6} {sample.rps:8.1f} req/s  p50 {sample.p50_ms:6.1f} ms"
                f"  p99 {sample.p99_ms:6.1f} ms  errors {sample.errors}  (machine busy before: "
                f"{busy:.0%})",
                flush=True,
            )


# --- search --------------------------------------------------------------------------------------


def search_timings(schema: str, email: str, repeats: int) -> dict[str, Any]:
    """Wall ms of ``catalogue_page`` (COUNT + page + pricing) per query, in-process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from commerce.catalog.selectors.portal import CatalogueFilters, catalogue_page
    from commerce.customers.models import Membership

    per_query: dict[str, Any] = {}
    every: list[float] = []
    with schema_context(schema):
        membership = Membership.objects.select_related("company").get(user__email=email)
        for text in SEARCHES:
            filters = CatalogueFilters(search=text)
            with CaptureQueriesContext(connection) as captured:
                page = catalogue_page(membership=membership, filters=filters, page=1)
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                catalogue_page(membership=membership, filters=filters, page=1)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            every += times
            per_query[text] = {
                "matches": page.count,
                "first": page.items[0].product.sku if page.items else "",
                "median_ms": round(common.median(times), 2),
                "max_ms": round(times[-1], 2),
                "queries": len(captured.captured_queries),
            }
    every.sort()
    return {
        "queries": per_query,
        "p50_ms": round(every[len(every) // 2], 2),
        "p95_ms": round(every[int(len(every) * 0.95) - 1], 2),
        "max_ms": round(every[-1], 2),
        "samples": len(every),
    }


# --- report --------------------------------------------------------------------------------------


def summarise(endpoints: list[Endpoint]) -> dict[str, Any]:
    plain = next(ep for ep in endpoints if ep.name == "plain")
    out = {}
    for ep in endpoints:
        ratios = [a.rps / b.rps for a, b in zip(ep.samples, plain.samples, strict=True)]
        out[ep.name] = {
            "path": ep.path,
            "rps_median": round(common.median([s.rps for s in ep.samples]), 1),
            "rps_rounds": [round(s.rps, 1) for s in ep.samples],
            "ratio_vs_plain": round(common.median(ratios), 3),
            "p50_ms": round(common.median([s.p50_ms for s in ep.samples]), 1),
            "p99_ms": round(common.median([s.p99_ms for s in ep.samples]), 1),
            "p99_ms_rounds": [round(s.p99_ms, 1) for s in ep.samples],
            "errors": sum(s.errors for s in ep.samples),
            "machine_busy_before": [s.foreign_busy for s in ep.samples],
        }
    return out


def verdicts(summary: dict[str, Any], search: dict[str, Any]) -> dict[str, Any]:
    return {
        "api_ratio": [summary["api"]["ratio_vs_plain"], GOALS["api_ratio"]],
        "html_ratio": [summary["html"]["ratio_vs_plain"], GOALS["html_ratio"]],
        "api_p99_ms": [summary["api"]["p99_ms"], GOALS["p99_ms"]],
        "html_p99_ms": [summary["html"]["p99_ms"], GOALS["p99_ms"]],
        "search_p95_ms": [search["p95_ms"], GOALS["search_p95_ms"]],
    }


def _met(name: str, value: float, goal: float) -> str:
    ok = value <= goal if name.endswith("_ms") else value >= goal
    return "met" if ok else "MISSED"


def markdown(run: dict[str, Any]) -> str:
    meta, summary, search = run["meta"], run["summary"], run["search"]
    m = meta["machine"]
    lines = [
        "# Priced catalogue (req/s through gunicorn on loopback, search latency in-process)",
        "",
        "`.venv/bin/python bench/catalogue/run.py` (see bench/README.md). One tenant with "
        f"{meta['data']['bench']['products']:,} products, {meta['data']['bench']['price_lists']} "
        f"price lists ({meta['data']['bench']['price_list_items']:,} list items with volume "
        f"breaks), {meta['data']['bench']['companies']} companies "
        f"({meta['data']['bench']['contract_prices']:,} contract prices); the buyer's company "
        "has 3 lists plus the default and contract prices on its first page.",
        f"gunicorn {meta['workers']} sync workers, `wrk -t{meta['wrk_threads']} "
        f"-c{meta['connections']} -d{meta['duration_s']}s`, {meta['rounds']} interleaved rounds "
        "(median; ratio = median of per-round ratios to plain). Commit "
        f"{m['commit']}, {m['at']}, {m['cpus']} CPUs (shared: other jobs ran meanwhile; "
        "'busy' is the machine's CPU use in the second before each measurement).",
        "",
    ]
    rows = [
        [
            name,
            f"`{row['path']}`",
            f"{row['rps_median']:.0f}",
            " / ".join(f"{r:.0f}" for r in row["rps_rounds"]),
            f"{row['ratio_vs_plain']:.2f}",
            f"{row['p50_ms']:.1f} / {row['p99_ms']:.1f}",
            " / ".join(f"{b:.0%}" for b in row["machine_busy_before"]),
            str(row["errors"]),
        ]
        for name, row in summary.items()
    ]
    lines.append(
        common.md_table(
            ["endpoint", "path", "req/s", "rounds", "x plain", "p50/p99 ms", "busy", "errors"],
            rows,
        )
    )
    lines += [
        "",
        f"Search over {meta['data']['search']['products']:,} products (tenant `search`, after "
        "VACUUM ANALYZE): wall time of `catalogue_page(search=…)` in-process — COUNT, the "
        f"first page of 24 and its pricing — {len(search['queries'])} queries × "
        f"{meta['search_repeats']} runs each after one warm-up: p50 {search['p50_ms']} ms, "
        f"**p95 {search['p95_ms']} ms**, max {search['max_ms']} ms.",
        "",
    ]
    lines.append(
        common.md_table(
            ["query", "matches", "first hit", "median ms", "max ms", "SQL"],
            [
                [
                    f"`{q}`",
                    f"{v['matches']:,}",
                    f"`{v['first']}`",
                    v["median_ms"],
                    v["max_ms"],
                    v["queries"],
                ]
                for q, v in search["queries"].items()
            ],
        )
    )
    lines += ["", "Goals:", ""]
    lines.append(
        common.md_table(
            ["measure", "value", "goal", ""],
            [
                [
                    name,
                    value,
                    f"{'≥' if not name.endswith('_ms') else '≤'} {goal}",
                    _met(name, value, goal),
                ]
                for name, (value, goal) in run["verdicts"].items()
            ],
        )
    )
    if run.get("notes"):
        lines += ["", *run["notes"]]
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    from bench.catalogue.generate import build_tenant

    common.base_setup()
    common.django_setup()
    from django.db import connection, connections

    data = {}
    with common.stopwatch() as took:
        data["bench"] = build_tenant(
            "bench", products=args.products, lists=50, companies=args.companies
        )
    print(f"tenant bench built in {took[0]:.1f} s: {data['bench']}", flush=True)
    with common.stopwatch() as took:
        data["search"] = build_tenant(
            "search", products=args.search_products, lists=5, companies=10
        )
    print(f"tenant search built in {took[0]:.1f} s", flush=True)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connections.close_all()
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads-wrk", type=int, default=2)
    parser.add_argument("--quiet-wait", type=float, default=8)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--companies", type=int, default=500)
    parser.add_argument("--search-products", type=int, default=100_000)
    parser.add_argument("--search-repeats", type=int, default=10)
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if not shutil.which(args.wrk):
        raise SystemExit("wrk not found: apt-get install -y wrk")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers: dict[str, Server] = {}
    logdir = Path(tempfile.mkdtemp(prefix="portico-bench-catalogue-"))
    started = time.perf_counter()
    try:
        print("preparing database …", flush=True)
        data = prepare(args)
        host = data["bench"]["host"]
        servers["portico"] = start_server("portico", "control_plane.settings", logdir, args.workers)
        servers["plain"] = start_server(
            "plain", "bench.catalogue.settings_plain", logdir, args.workers
        )
        wait_ready(servers["portico"], "/login/", host)
        wait_ready(servers["plain"], "/bench/plain", host)
        from bench.catalogue.generate import PASSWORD

        cookie = sign_in(servers["portico"], host, data["bench"]["buyer"], PASSWORD)
        buyer = {"Host": host, "Cookie": cookie}
        endpoints = [
            Endpoint("plain", "plain", "/bench/plain"),
            Endpoint("html", "portico", "/catalogue/"),
            Endpoint("api", "portico", "/api/v1/catalogue/products"),
        ]
        headers = {
            "plain": {"Host": host},
            "html": buyer,
            "api": {**buyer, "Accept": "application/json"},
        }
        checks = {}
        for ep in endpoints:
            status, _, body = request(servers[ep.server], "GET", ep.path, host, headers[ep.name])
            if status != 200:
                raise SystemExit(f"{ep.name}: {status} {body[:300]}")
            checks[ep.name] = len(body)
        status, _, body = request(
            servers["portico"], "GET", "/api/v1/catalogue/products", host, headers["api"]
        )
        api = json.loads(body)
        if len(api["results"]) != 50:
            raise SystemExit(f"api: {len(api['results'])} results, wanted 50")
        _, _, html = request(servers["portico"], "GET", "/catalogue/", host, buyer)
        contract_cards = html.count("Contract price until")
        print(f"sanity: bytes {checks}; contract prices on page 1: {contract_cards}", flush=True)
        measure(args, servers, endpoints, headers)
        for server in servers.values():
            stop_server(server)
        search = search_timings(
            data["search"]["schema"], data["search"]["buyer"], args.search_repeats
        )
        print(f"search p50 {search['p50_ms']} ms p95 {search['p95_ms']} ms", flush=True)
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
            "rounds": args.rounds,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "wrk_threads": args.threads_wrk,
            "workers": args.workers,
            "search_repeats": args.search_repeats,
            "data": data,
            "response_bytes": checks,
            "contract_prices_on_page_1": contract_cards,
            "total_s": round(time.perf_counter() - started, 1),
        },
        "summary": summary,
        "search": search,
    }
    run["verdicts"] = verdicts(summary, search)
    common.write_results("catalogue", run, markdown(run))
    for name, (value, goal) in run["verdicts"].items():
        print(f"{name:14} {value:>8} goal {goal:>6}  {_met(name, value, goal)}")


if __name__ == "__main__":
    main()
