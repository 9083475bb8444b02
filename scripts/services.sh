#!/usr/bin/env bash
# Finds (or starts) PostgreSQL and Redis, and exports DATABASE_URL and REDIS_URL.
# Sourced by scripts/run.sh and scripts/test.sh. Order for each service:
#   1. the URL already in the environment;
#   2. a server already listening on 127.0.0.1 (5432 / 6379);
#   3. the machine's own server package, started (installed first when we are root with apt);
#   4. PostgreSQL only: an embedded server under .data/ (the `pgserver` package) as last resort.
# Redis missing: `run` falls back to eager tasks with a loud message; `test` fails.

PORTICO_ROOT=${PORTICO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }

_wait_port() {
  for _ in $(seq 1 60); do _port_open "$1" && return 0; sleep 0.5; done
  return 1
}

_have_root_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

_apt_install() {
  if [ -z "${_PORTICO_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    _PORTICO_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

portico_find_postgres() {
  local dbname=${1:-portico}
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "postgres: using DATABASE_URL from the environment"
    return 0
  fi
  if ! _port_open 5432; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1 && _have_root_apt; then
      echo "postgres: nothing on 127.0.0.1:5432; installing the distribution's server"
      _apt_install postgresql || true
    fi
    if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
      local version
      version=$(ls /etc/postgresql | sort -V | tail -n 1)
      echo "postgres: starting the local cluster $version/main"
      # Trust local TCP connections for the development user, as the brief's machines do.
      local hba="/etc/postgresql/$version/main/pg_hba.conf"
      if [ -w "$hba" ] && ! grep -q "portico-dev" "$hba"; then
        sed -i '1i host all postgres 127.0.0.1/32 trust # portico-dev' "$hba"
      fi
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
      _wait_port 5432 || true
    fi
  fi
  if _port_open 5432; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$dbname"
    echo "postgres: using the server on 127.0.0.1:5432"
    return 0
  fi
  echo "postgres: no server found; starting an embedded one under .data/pg (pgserver)"
  "$PORTICO_ROOT/.venv/bin/pip" install -q pgserver >/dev/null
  DATABASE_URL=$("$PORTICO_ROOT/.venv/bin/python" "$PORTICO_ROOT/scripts/embedded_pg.py" "$dbname")
  export DATABASE_URL
}

portico_find_redis() {
  local mode=${1:-run} db=${2:-0}
  if [ -n "${REDIS_URL:-}" ]; then
    echo "redis: using REDIS_URL from the environment"
    return 0
  fi
  if ! _port_open 6379; then
    if ! command -v redis-server >/dev/null 2>&1 && _have_root_apt; then
      echo "redis: nothing on 127.0.0.1:6379; installing the distribution's server"
      _apt_install redis-server || true
    fi
    if command -v redis-server >/dev/null 2>&1; then
      echo "redis: starting redis-server on 127.0.0.1:6379"
      mkdir -p "$PORTICO_ROOT/.data/redis"
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir "$PORTICO_ROOT/.data/redis" --logfile "$PORTICO_ROOT/.data/redis/redis.log"
      _wait_port 6379 || true
    fi
  fi
  if _port_open 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/$db"
    echo "redis: using the server on 127.0.0.1:6379 (db $db)"
    return 0
  fi
  if [ "$mode" = "test" ]; then
    echo "redis: NOT FOUND. The tests need a real Redis: set REDIS_URL or install redis-server." >&2
    return 1
  fi
  echo "redis: NOT FOUND. The demo will run Celery tasks eagerly inside the web process." >&2
  echo "       Set REDIS_URL or install redis-server for a real worker (production refuses this)." >&2
  export CELERY_EAGER=true
  export REDIS_URL="redis://127.0.0.1:6379/$db"
}

portico_venv() {
  # Creates .venv and installs the project when pyproject.toml changed since the last install.
  cd "$PORTICO_ROOT" || return 1
  local python=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    echo "venv: creating .venv"
    "$python" -m venv .venv
    .venv/bin/pip install -q --upgrade pip
  fi
  local stamp=.venv/.portico-installed
  local digest
  digest=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "venv: installing Portico and its dependencies"
    .venv/bin/pip install -q -e ".[dev]"
    echo "$digest" > "$stamp"
  fi
}

portico_ensure_database() {
  # Creates the database named in DATABASE_URL when the server does not have it yet.
  "$PORTICO_ROOT/.venv/bin/python" "$PORTICO_ROOT/scripts/ensure_db.py"
}
