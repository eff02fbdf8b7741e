# Grafana's Live client for tests/live/test_centrifuge_js.py: the `centrifuge` npm package (the version Grafana's
# frontend pins), `ws` and `@grafana/data`, exactly as tests/live/js/package-lock.json pins them.
if ! command -v npm >/dev/null 2>&1; then
  ci_apt_install nodejs npm
fi
(cd tests/live/js && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
