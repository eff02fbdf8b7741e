#!/bin/sh
# A throwaway PostgreSQL cluster for the PostgreSQL test runs (used by `make test` and CI's .ci/setup.d/10-postgres.sh).
#
#   pg-throwaway.sh start DIR    initdb + start a cluster in the empty folder DIR on a free 127.0.0.1 port; prints
#                                its SQLAlchemy URL (the value of GRAFANA_PLUGIN_HOST_TEST_PG_URL)
#   pg-throwaway.sh stop DIR     stop it (DIR is left for the caller to remove)
#   pg-throwaway.sh run CMD...   run CMD with GRAFANA_PLUGIN_HOST_TEST_PG_URL set: as given, else a cluster started
#                                for CMD and removed after it; without PostgreSQL's binaries, one line says what skips
#   pg-throwaway.sh found        exit 0 when PostgreSQL's server binaries are installed
# As root the cluster runs as the `postgres` user (initdb refuses root). PG_BINDIR names the binaries' folder.
set -eu

VAR=GRAFANA_PLUGIN_HOST_TEST_PG_URL

bindir() {  # the folder of initdb/pg_ctl: $PG_BINDIR, on PATH, else Debian's newest /usr/lib/postgresql/<v>/bin
  if [ -n "${PG_BINDIR:-}" ]; then
    echo "$PG_BINDIR"
  elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  else
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
  fi
}

as_owner() {  # run a shell command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  dir=$1 bin=$(bindir) port=$(free_port)
  [ -x "$bin/initdb" ] || { echo "pg-throwaway: PostgreSQL's server binaries (initdb, pg_ctl) are not installed" >&2; exit 1; }
  [ "$(id -u)" != 0 ] || chown postgres "$dir"
  as_owner "'$bin/initdb' -D '$dir/data' -A trust -U postgres" >/dev/null
  as_owner "'$bin/pg_ctl' -D '$dir/data' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off\" -l '$dir/log' -w start" >/dev/null
  echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}

stop() {
  as_owner "'$(bindir)/pg_ctl' -D '$1/data' -m fast -w stop" >/dev/null 2>&1 || true
}

run() {
  if [ -n "$(printenv "$VAR" || true)" ]; then
    exec "$@"
  fi
  if [ ! -x "$(bindir)/initdb" ]; then
    echo "PostgreSQL's server binaries are not installed: the PostgreSQL runs (pytest -m postgres) will skip;" \
      "install them (apt-get install postgresql) or set $VAR to a server to include them."
    exec "$@"
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-throwaway.XXXXXX")
  trap 'stop "$dir"; rm -rf "$dir"' EXIT
  trap 'exit 130' INT TERM
  url=$(start "$dir")
  echo "PostgreSQL runs on a throwaway cluster ($url)"
  status=0
  env "$VAR=$url" "$@" || status=$?
  exit "$status"
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
  start) start "$1" ;;
  stop) stop "$1" ;;
  run) run "$@" ;;
  found) [ -x "$(bindir)/initdb" ] ;;
  *) echo "usage: pg-throwaway.sh start DIR | stop DIR | run CMD... | found" >&2; exit 2 ;;
esac
