# PostgreSQL from Debian's packages: a throwaway cluster (scripts/pg-throwaway.sh) for the PostgreSQL test runs.
scripts/pg-throwaway.sh found || ci_apt_install postgresql
PG_DIR=$(mktemp -d /tmp/ci-pg.XXXXXX)
GRAFANA_PLUGIN_HOST_TEST_PG_URL=$(scripts/pg-throwaway.sh start "$PG_DIR")
export GRAFANA_PLUGIN_HOST_TEST_PG_URL
ci_on_exit "scripts/pg-throwaway.sh stop '$PG_DIR'; rm -rf '$PG_DIR'"
