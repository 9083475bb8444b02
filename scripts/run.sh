#!/usr/bin/env bash
# `make run`: set up, migrate, seed the demo, run web + worker, print URLs and logins.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/services.sh
source scripts/services.sh

portico_venv
portico_find_postgres portico
portico_find_redis run 0
portico_ensure_database

PORT=${PORT:-8000}
export PORTICO_PORT_SUFFIX=":$PORT"
export PORTICO_OPERATOR_EMAIL=${PORTICO_OPERATOR_EMAIL:-ops@portico.localhost}
export PORTICO_OPERATOR_PASSWORD=${PORTICO_OPERATOR_PASSWORD:-Operator-demo-2026}
mkdir -p .data
export EMAIL_BACKEND=${EMAIL_BACKEND:-file}

.venv/bin/python manage.py portico_migrate -v 0
.venv/bin/python manage.py portico_bootstrap
.venv/bin/python manage.py portico_seed_demo

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ "${CELERY_EAGER:-false}" != "true" ]; then
  .venv/bin/celery -A control_plane worker -B -l INFO -c 2 \
    --schedule .data/celerybeat-schedule > .data/worker.log 2>&1 &
  pids+=($!)
  echo "worker: started (log in .data/worker.log)"
fi

cat <<MSG

  Portico is running.
    Control plane    http://portico.localhost:$PORT/          (sign up a supplier here)
    Operator console http://portico.localhost:$PORT/console/  $PORTICO_OPERATOR_EMAIL / $PORTICO_OPERATOR_PASSWORD
    Demo supplier 1  http://northwind.portico.localhost:$PORT/ admin@northwind.example / Demo-portal-2026
    Demo supplier 2  http://helio.portico.localhost:$PORT/     admin@helio.example / Demo-portal-2026
    Demo buyer 1     http://northwind.portico.localhost:$PORT/catalogue/ buyer@brandt-metallbau.example / Demo-portal-2026
    Demo buyer 2     http://helio.portico.localhost:$PORT/catalogue/     buyer@meridian-biotech.example / Demo-portal-2026
    API docs         http://northwind.portico.localhost:$PORT/api/docs/
    E-mails          written to .data/mail/ (EMAIL_BACKEND=file)

MSG
.venv/bin/gunicorn control_plane.wsgi:application --pythonpath .,platform \
  --bind "0.0.0.0:$PORT" --workers 2 --threads 4 --access-logfile - &
pids+=($!)
wait "${pids[-1]}"
