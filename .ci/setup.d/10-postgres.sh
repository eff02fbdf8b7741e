# PostgreSQL from Debian's packages: a throwaway cluster on 127.0.0.1:55432 for the PostgreSQL test runs.
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  ci_apt_install postgresql
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DIR=$(mktemp -d /tmp/ci-pg.XXXXXX)
chown postgres "$PG_DIR"
su postgres -c "$PG_BIN/initdb -D $PG_DIR/data -A trust -U postgres" >/dev/null
su postgres -c "$PG_BIN/pg_ctl -D $PG_DIR/data -o '-p 55432 -k $PG_DIR -c listen_addresses=127.0.0.1' -l $PG_DIR/log -w start" >/dev/null
ci_on_exit "su postgres -c '$PG_BIN/pg_ctl -D $PG_DIR/data -m fast stop' >/dev/null 2>&1 || true"
export GRAFANA_PLUGIN_HOST_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
