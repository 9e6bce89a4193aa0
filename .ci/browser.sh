# CI's browser stage, sourced by .ci/run (`stage browser browser_stage`), or on its own:
#   CI=1 bash -c 'source .ci/browser.sh; browser_stage'
# The journeys of tests/browser drive a live portal (its own database, seeded once, with a local worker) in
# Debian's Chromium; Playwright never downloads a browser. Screenshots, the server's log and the axe waivers in
# use land in $AIMS_CI_ARTIFACTS/browser (default artifacts/browser).

AIMS_BROWSER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

browser_stage() {
  (
    set -euo pipefail
    cd "$AIMS_BROWSER_ROOT"
    if [ ! -x /usr/bin/chromium ]; then
      echo "Chromium is missing: installing Debian's package"
      if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
    fi
    /usr/bin/chromium --version
    local artifacts="${AIMS_CI_ARTIFACTS:-artifacts}"
    mkdir -p "$artifacts/browser"
    # The live server uses PostgreSQL (database aims_browser_e2e beside it) when DATABASE_URL names one, else
    # SQLite in a temporary AIMS_VAR_DIR. Its worker runs on a file-system broker: no Redis is involved.
    AIMS_CI=1 AIMS_CI_ARTIFACTS="$artifacts" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
      .venv/bin/python -m pytest -m browser tests/browser -q -p no:cacheprovider \
      --junitxml="$artifacts/pytest-browser.xml"
    if [ -s "$artifacts/browser/waived.txt" ]; then
      echo "Accessibility violations waived (owned elsewhere; see tests/browser/harness.py WAIVERS):"
      cat "$artifacts/browser/waived.txt"
    fi
  )
}
