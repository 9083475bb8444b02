"""Create the database named in DATABASE_URL if it does not exist (used by the scripts)."""

import os
import sys

import psycopg
from psycopg import sql

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "platform"))
from control_plane.env import parse_database_url

cfg = parse_database_url(os.environ["DATABASE_URL"])
with psycopg.connect(
    dbname="postgres",
    user=cfg.user,
    password=cfg.password,
    host=cfg.host,
    port=cfg.port,
    autocommit=True,
) as conn:
    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg.name]).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg.name)))
        print(f"database {cfg.name} created")
