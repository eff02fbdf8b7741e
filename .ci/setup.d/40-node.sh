# Node and the frontend's pinned npm packages (frontend/package-lock.json), and Debian's Chromium for the
# browser tests of the generic editors.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  ci_apt_install nodejs npm
fi
if ! command -v chromium >/dev/null 2>&1; then
  ci_apt_install chromium
fi
(cd frontend && npm ci --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)
export EDITORS_CHROMIUM="$(command -v chromium)"
