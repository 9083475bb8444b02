"""Print, as JSON, the SQL one warm request runs per path under ``DJANGO_SETTINGS_MODULE``.

Usage: ``count_queries.py HOST PATH...``. Goes through the full middleware stack with Django's
test client; the fourth request of each path is recorded (the first three warm the caches).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[2]
for _path in (str(_ROOT / "platform"), str(_ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    host, paths = sys.argv[1], sys.argv[2:]
    out: dict[str, Any] = {}
    for path in paths:
        client = Client(HTTP_HOST=host)
        for _ in range(3):
            client.get(path)
        statements: list[str] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements.append(" ".join(str(sql).split())[:120])  # noqa: B023
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(path)
        out[path] = {
            "status": response.status_code,
            "body": response.content[:80].decode(errors="replace"),
            "queries": statements,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
