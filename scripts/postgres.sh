#!/usr/bin/env bash
# `postgres.sh start` brings up a private PostgreSQL cluster for the tests and prints its URL;
# `postgres.sh stop` stops it. As root on Debian it installs the postgresql package if missing.
# PostgreSQL refuses to run as root, so the cluster runs as the postgres user.
set -euo pipefail
PGPORT=${QI_TEST_PGPORT:-54329}
PGDIR=${QI_TEST_PGDIR:-/tmp/qi-commons-pg}
URL="postgresql+asyncpg://postgres@127.0.0.1:${PGPORT}/qi_commons_test"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  stop)
    bin=$(find_bin); [ -n "$bin" ] && as_pg "$bin/pg_ctl" -D "$PGDIR" stop -m fast >/dev/null 2>&1 || true
    exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

bin=$(find_bin)
if [ -z "$bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing PostgreSQL from Debian's packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi
[ -n "$bin" ] || exit 1

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDIR" && chown postgres:postgres "$PGDIR" && chmod 700 "$PGDIR"
else
  mkdir -p "$PGDIR" && chmod 700 "$PGDIR"
fi
if [ ! -f "$PGDIR/PG_VERSION" ]; then
  as_pg "$bin/initdb" -D "$PGDIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_pg "$bin/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
  # Durability settings are off: this cluster only ever holds throwaway test data.
  as_pg "$bin/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t 60 start \
    -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
fi
"$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='qi_commons_test'" \
  | grep -q 1 || "$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE qi_commons_test" >/dev/null
echo "$URL"
