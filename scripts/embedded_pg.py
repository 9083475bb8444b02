"""Last-resort embedded PostgreSQL under .data/pg (the pgserver package); prints its URL.

Prefer a running server or the distribution's package: pgserver, run as root, creates a system
user and opens the permissions of every folder above its data directory.
"""

import importlib
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
pgserver = importlib.import_module("pgserver")  # installed on demand by scripts/services.sh
server = pgserver.get_server(root / ".data" / "pg", cleanup_mode=None)
name = sys.argv[1] if len(sys.argv) > 1 else "portico"
if not name.replace("_", "").isalnum():
    raise SystemExit(f"bad database name {name!r}")
exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608
if "1 row" not in exists:
    server.psql(f'CREATE DATABASE "{name}";')
print(server.get_uri(name))
