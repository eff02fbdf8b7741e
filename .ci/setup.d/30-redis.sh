# Redis from Debian's packages for the Live HA tests (tests/live/test_live_ha.py): a throwaway server on
# 127.0.0.1:56379, no persistence.
if ! command -v redis-server >/dev/null 2>&1; then
  ci_apt_install redis-server
fi
REDIS_DIR=$(mktemp -d /tmp/ci-redis.XXXXXX)
redis-server --port 56379 --bind 127.0.0.1 --save '' --appendonly no --dir "$REDIS_DIR" \
  --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log"
ci_on_exit "kill \$(cat '$REDIS_DIR/redis.pid') 2>/dev/null || true"
export GRAFANA_PLUGIN_HOST_TEST_REDIS="127.0.0.1:56379"
