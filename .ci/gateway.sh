# The gateway stage: a real LiteLLM proxy with the AIMS guardrail, in front of a model, reporting to the real
# portal on PostgreSQL (tests/gateway/test_gateway.py). Sourced by .ci/run (`stage gateway gateway_stage`), or
# run on its own from the repository root:
#     bash -c 'source .ci/gateway.sh; gateway_stage'
# LiteLLM gets a venv of its own with pinned versions (enforcement/litellm/requirements-ci.txt): the portal's
# venv (.venv, made by `make venv`) serves the portal, the gateway venv never imports Django. Packages come
# from the package index at install time; at run time everything is on 127.0.0.1.

gateway_stage() (
  set -euo pipefail
  local repo db url work artifacts venv pins started
  repo=$(pwd)
  db=${AIMS_GATEWAY_DB:-aims_gateway_ci}
  url="postgres://postgres@127.0.0.1:5432/$db"
  work=$(mktemp -d)
  artifacts=${ARTIFACTS:-${AIMS_CI_ARTIFACTS:-artifacts}}
  mkdir -p "$artifacts"
  artifacts=$(cd "$artifacts" && pwd)
  [ -x "$repo/.venv/bin/python" ] || { echo "gateway: run from the repository root after 'make venv'"; return 1; }
  [ -f "$repo/tests/gateway/test_gateway.py" ] || { echo "gateway: run from the repository root"; return 1; }
  started=$(date +%s)
  _gateway_step() { echo "gateway: $1 after $(( $(date +%s) - started ))s"; }

  _gateway_cleanup() {
    cp "$work"/*.log "$artifacts"/ 2>/dev/null || true
    psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
  }
  trap _gateway_cleanup EXIT

  # The pinned venv is kept between runs on this machine, keyed by the pins and the interpreter: installing
  # LiteLLM's proxy (about 120 packages) is most of the stage's time, and the pins say exactly what it holds.
  pins=$( (cat enforcement/litellm/requirements-ci.txt; python3 --version) | sha256sum | cut -c1-16)
  venv=${AIMS_GATEWAY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/aims/gateway-venv-$pins}
  if [ ! -f "$venv/.complete" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r enforcement/litellm/requirements-ci.txt \
      2> >(grep -v "^WARNING: Location" >&2)
    touch "$venv/.complete"
  fi
  # The plugin under test is always this checkout's.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall ./enforcement \
    2> >(grep -v "^WARNING: Location" >&2)
  "$venv/bin/python" -c "import litellm, enforcement.litellm" 2>/dev/null
  _gateway_step "gateway venv ready ($venv)"

  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" \
    2>/dev/null
  DATABASE_URL="$url" AIMS_VAR_DIR="$work/var" env -u REDIS_URL -u CELERY_BROKER_URL \
    .venv/bin/python manage.py migrate --no-input >"$work/migrate.log"
  _gateway_step "portal database migrated"
  DATABASE_URL="$url" AIMS_VAR_DIR="$work/var" env -u REDIS_URL -u CELERY_BROKER_URL \
    .venv/bin/python tests/gateway/seed_portal.py litellm-ci 2>"$work/seed.log" | tail -n 1 >"$work/seed.json"
  _gateway_step "portal seeded"

  (
    cd tests/gateway
    AIMS_GW_SEED="$work/seed.json" AIMS_GW_REPO="$repo" AIMS_GW_WORKDIR="$work" \
      AIMS_GW_DATABASE_URL="$url" AIMS_GW_PORTAL_PYTHON="$repo/.venv/bin/python" \
      AIMS_GW_LITELLM="$venv/bin/litellm" \
      "$venv/bin/python" -m pytest -c pytest.ini -q test_gateway.py --junitxml="$artifacts/pytest-gateway.xml"
  )
  _gateway_step "tests passed"
)
