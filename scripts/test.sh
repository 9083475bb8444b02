#!/usr/bin/env bash
# `make test`: set up everything the suite needs, then lint, type-check and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=scripts/services.sh
source scripts/services.sh

portico_venv

if [ ! -x /usr/bin/chromium ]; then
  if _have_root_apt; then
    echo "chromium: installing the distribution's package (browser tests)"
    _apt_install chromium fonts-liberation
  else
    echo "chromium: /usr/bin/chromium is missing; install the chromium package" >&2
    exit 1
  fi
fi

portico_find_postgres portico
portico_find_redis test 15
export EMAIL_BACKEND=locmem
export PORTICO_TEST_ARTIFACTS=${PORTICO_TEST_ARTIFACTS:-$ROOT/test-artifacts}
mkdir -p "$PORTICO_TEST_ARTIFACTS"
echo "test artefacts (screenshots, logs): $PORTICO_TEST_ARTIFACTS"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy .
echo "== pytest"
.venv/bin/pytest "$@"
