#!/usr/bin/env bash
# Start Debian's PostgreSQL for the tests and print the URL of a fresh test database.
# Usage: scripts/postgres.sh start|stop|url
set -euo pipefail
DB=ir_test USER_=ir PASS=ir PORT=${IR_PG_PORT:-5432}
URL="postgresql+psycopg://$USER_:$PASS@127.0.0.1:$PORT/$DB"
case "${1:-start}" in
  start)
    # Everything but the URL goes to stderr: callers capture stdout as the URL
    # (pg_ctlcluster prints notices such as "Removed stale pid file." on stdout).
    exec 3>&1 1>&2
    if ! command -v pg_lsclusters >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    VER=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_lsclusters -h | grep -q "^$VER main" || pg_createcluster "$VER" main >/dev/null
    pg_lsclusters -h | grep -q "^$VER main .* online" || pg_ctlcluster "$VER" main start
    for _ in $(seq 1 30); do runuser -u postgres -- pg_isready -q -h 127.0.0.1 -p "$PORT" && break; sleep 1; done
    runuser -u postgres -- psql -q -p "$PORT" -tc "SELECT 1 FROM pg_roles WHERE rolname='$USER_'" | grep -q 1 \
      || runuser -u postgres -- psql -q -p "$PORT" -c "CREATE ROLE $USER_ LOGIN CREATEDB PASSWORD '$PASS'"
    runuser -u postgres -- psql -q -p "$PORT" -tc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 \
      || runuser -u postgres -- psql -q -p "$PORT" -c "CREATE DATABASE $DB OWNER $USER_"
    echo "$URL" >&3 ;;
  stop)
    VER=$(ls /usr/lib/postgresql | sort -n | tail -1); pg_ctlcluster "$VER" main stop || true ;;
  url) echo "$URL" ;;
esac
