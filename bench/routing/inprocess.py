"""CPU and wall microseconds per request through Django's WSGI handler, in one process.

Usage: ``inprocess.py HOST N PATH...`` under ``DJANGO_SETTINGS_MODULE``; prints JSON. No
network and no gunicorn: what is left is exactly what the configuration's URL conf, middleware
and DB backend cost, and CPU time barely moves with other load on the machine. Best of three
batches of N requests after a warm-up.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[2]
for _path in (str(_ROOT / "platform"), str(_ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)


def main() -> None:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    host, count, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    handler = WSGIHandler()
    status_box: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        status_box.append(status)

    def one(path: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": host,
            "HTTP_USER_AGENT": "bench",
            "HTTP_ACCEPT": "*/*",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        response = handler(environ, start_response)
        b"".join(response)
        response.close()  # fires request_finished, as gunicorn does

    out: dict[str, Any] = {}
    for path in paths:
        for _ in range(max(50, count // 10)):
            one(path)
        best_cpu = best_wall = float("inf")
        for _ in range(3):
            status_box.clear()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for _ in range(count):
                one(path)
            best_cpu = min(best_cpu, (time.process_time() - cpu0) / count)
            best_wall = min(best_wall, (time.perf_counter() - wall0) / count)
        out[path] = {
            "cpu_us": round(best_cpu * 1e6, 1),
            "wall_us": round(best_wall * 1e6, 1),
            "status": sorted(set(status_box)),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
