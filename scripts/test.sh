#!/usr/bin/env bash
# Lint, then run the whole suite on SQLite and PostgreSQL.
# PostgreSQL: TEST_DATABASE_URL if set; otherwise a private cluster this script starts itself
# (installing Debian's postgresql package when running as root). Where neither is possible the
# suite runs on SQLite only, except under CI=true, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

"$VENV/bin/ruff" check .
# The architecture (DESIGN.md §3): layers and the Slack-free domain, as contracts in pyproject.toml.
"$VENV/bin/lint-imports"

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if url=$(bash scripts/postgres.sh start); then
    export TEST_DATABASE_URL="$url"
  elif [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL could not be started and CI=true: failing rather than testing SQLite only." >&2
    exit 1
  else
    echo "PostgreSQL is not available here (set TEST_DATABASE_URL to use one): running on SQLite only." >&2
  fi
fi

# The browser tests drive Debian's chromium (never a browser Playwright downloads).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the sandbox browser tests..." >&2
    (apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }) \
      || echo "Could not install chromium." >&2
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
      echo "chromium is missing and CI=true: failing rather than skipping the browser tests." >&2
      exit 1
    fi
    echo "chromium is not installed: the browser tests (-m browser) are skipped." >&2
  fi
fi

"$VENV/bin/python" -m pytest "$@"
