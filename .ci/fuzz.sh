# The fuzz stage (issue 12): first a bounded load run (load_run, below), then schemathesis against the OpenAPI schema of the running application, on gunicorn
# and PostgreSQL with the demo data, covering every operation once with an officer's token and once with an
# evidence source's (ingestion) token. Zero server errors and zero schema violations, with a bounded number of
# examples per operation. Sourced by .ci/run; runnable alone: `source .ci/fuzz.sh; fuzz_stage`.

fuzz_stage() {
  local db=aims_fuzz port=${AIMS_FUZZ_PORT:-8772} examples=${AIMS_FUZZ_EXAMPLES:-6}
  local url="postgres://postgres@127.0.0.1:5432/$db"
  local out="${ARTIFACTS:-artifacts}/fuzz"
  mkdir -p "$out"
  local var; var=$(mktemp -d)
  export AIMS_VAR_DIR="$var"
  # AIMS_FUZZ_REUSE_DB=1 keeps the seeded database of an earlier run: quicker when iterating by hand.
  if [ "${AIMS_FUZZ_REUSE_DB:-0}" != 1 ]; then
    dropdb -h 127.0.0.1 -U postgres --if-exists --force "$db"
    createdb -h 127.0.0.1 -U postgres "$db"
    DATABASE_URL="$url" .venv/bin/python manage.py migrate -v 0
    DATABASE_URL="$url" .venv/bin/python manage.py seed_demo >"$out/seed.log"
  fi
  DATABASE_URL="$url" .venv/bin/python manage.py migrate -v 0
  # Production settings (DEBUG off: JSON errors from the handlers, never a debug page; pages served through
  # the hashed static manifest) over plain HTTP on loopback.
  local prod=(DJANGO_DEBUG=0 "DJANGO_SECRET_KEY=fuzz-$(head -c 48 /dev/urandom | base64 | tr -d '/+=')"
    DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=0 "DATABASE_URL=$url" "AIMS_STATIC_ROOT=$var/static")
  env "${prod[@]}" .venv/bin/python manage.py collectstatic --no-input -v 0
  local officer_token ingest_token
  officer_token=$(DATABASE_URL="$url" .venv/bin/python manage.py create_api_token officer --name fuzz | tail -n 1)
  ingest_token=$(DATABASE_URL="$url" .venv/bin/python manage.py create_evidence_source fuzz-gw | tail -n 1)
  # Tasks run inline (no broker configured), so a fuzzed batch is expanded inside its own request.
  # gunicorn's own request-line cap answers 414 in HTML before the application sees the request; lift it
  # here so that the application's handling of long addresses is what gets fuzzed.
  env "${prod[@]}" .venv/bin/gunicorn aims.wsgi --bind "127.0.0.1:$port" --workers 2 --timeout 60 --limit-request-line 0 \
    --access-logfile "$out/access.log" --error-logfile "$out/gunicorn.log" &
  local pid=$!
  local rc=0
  for _ in $(seq 1 60); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 1; done
  load_run "http://127.0.0.1:$port" "$ingest_token" "$officer_token" "$out" | tee "$out/load-figures.txt" || rc=1
  local common=(--checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance
    --phases examples,fuzzing,stateful --max-examples "$examples" --seed 42 --workers 2 --wait-for-schema 30
    --no-color --request-timeout 30
    --generation-database none)
  .venv/bin/schemathesis run "http://127.0.0.1:$port/api/schema/" "${common[@]}" \
    -H "Authorization: Token $officer_token" \
    --report junit --report-junit-path "$out/officer.xml" >"$out/officer.txt" 2>&1 || rc=1
  tail -n 25 "$out/officer.txt"
  # The schema is served to signed-in people only: the source token's run reads the officer's copy.
  curl -fsS -H "Authorization: Token $officer_token" "http://127.0.0.1:$port/api/schema/?format=json" \
    -o "$out/schema.json"
  .venv/bin/schemathesis run "$out/schema.json" --url "http://127.0.0.1:$port" "${common[@]}" \
    -H "Authorization: Bearer $ingest_token" \
    --report junit --report-junit-path "$out/ingestion.xml" >"$out/ingestion.txt" 2>&1 || rc=1
  tail -n 25 "$out/ingestion.txt"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if grep -q "Traceback" "$out/gunicorn.log"; then
    echo "the server logged an exception during fuzzing:"; grep -A 30 "Traceback" "$out/gunicorn.log" | head -60
    rc=1
  fi
  unset AIMS_VAR_DIR
  rm -rf "$var"
  return "$rc"
}

# The load step (issue 12): a bounded locust run mixing ingestion, decide, the dashboard and the register,
# against the same gunicorn and database, before fuzzing changes the data. Prints the error rate and p95 per
# endpoint (`load_<endpoint>_p95_ms: N`) and fails on any error.
load_run() {
  local host=$1 source_token=$2 api_token=$3 out=$4
  local users=${AIMS_LOAD_USERS:-12} seconds=${AIMS_LOAD_SECONDS:-45}
  AIMS_LOAD_SOURCE_TOKEN="$source_token" AIMS_LOAD_API_TOKEN="$api_token" \
    .venv/bin/locust -f tests/load/locustfile.py --headless --host "$host" --users "$users" \
    --spawn-rate "$users" --run-time "${seconds}s" --csv "$out/load" --only-summary >"$out/load.txt" 2>&1 || true
  .venv/bin/python - "$out/load_stats.csv" "$users" "$seconds" <<'PY'
import csv, re, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["Name"] != "Aggregated"]
total = sum(int(r["Request Count"]) for r in rows)
failures = sum(int(r["Failure Count"]) for r in rows)
print(f"load_users: {sys.argv[2]}")
print(f"load_seconds: {sys.argv[3]}")
print(f"load_requests: {total}")
print(f"load_rps: {total / float(sys.argv[3]):.1f}")
print(f"load_error_rate: {failures / max(total, 1):.4f}")
for r in sorted(rows, key=lambda r: r["Name"]):
    slug = re.sub(r"[^a-z0-9]+", "_", r["Name"].lower()).strip("_")
    print(f"load_{slug}_requests: {r['Request Count']}")
    print(f"load_{slug}_p95_ms: {r['95%']}")
    print(f"load_{slug}_errors: {r['Failure Count']}")
sys.exit(1 if failures or not total else 0)
PY
}
