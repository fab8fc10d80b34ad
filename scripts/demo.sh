#!/usr/bin/env bash
# The README's platform command: on a fresh clone, installs dependencies, brings up Postgres, Kafka and
# Elasticsearch, migrates, builds, starts api + ingest + indexer + exporter, loads a small generated community through
# Kafka, and prints where to look. Runs in the foreground; Ctrl-C stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

DEMO_PATIENTS="${DEMO_PATIENTS:-25}"
DEMO_SEED="${DEMO_SEED:-2026}"
run_dir="${CONTINUUM_RUN_DIR:-/var/tmp/continuum}/demo"
mkdir -p "$run_dir"

ensure_node_modules

step "Infrastructure"
bash scripts/infra/infra.sh up

step "Migrations"
npm run -s migrate

step "Build"
npm run -s build

pids=()
stop_apps() {
  trap - INT TERM EXIT
  if [ "${#pids[@]}" -gt 0 ]; then
    step "Stopping the apps (they drain their consumers and close their pools)"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  echo "Stopped. Infrastructure is still running: 'npm run infra:down' stops Kafka and Elasticsearch."
}
trap stop_apps INT TERM EXIT

start_app() {
  local app="$1"
  node "dist/apps/$app/apps/$app/src/main.js" >"$run_dir/$app.log" 2>&1 &
  pids+=("$!")
  echo "  $app started (pid $!, log $run_dir/$app.log)"
}

step "Starting the apps"
for app in api ingest indexer exporter; do start_app "$app"; done

wait_for_url() {
  local url="$1" name="$2"
  for _ in $(seq 1 60); do
    if curl -fsS "$url" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  die "$name did not become healthy within 60 s: see $run_dir/${name}.log"
}
wait_for_url http://127.0.0.1:8080/health api
wait_for_url http://127.0.0.1:9464/health ingest
wait_for_url http://127.0.0.1:9465/health indexer
wait_for_url http://127.0.0.1:9466/health exporter

step "Loading a generated community of $DEMO_PATIENTS patients through Kafka"
community="$run_dir/community"
rm -rf "$community"
npm run -s cli -- generate --patients "$DEMO_PATIENTS" --seed "$DEMO_SEED" --out "$community" --format kafka
npm run -s cli -- publish prepared "$community/kafka"

step "A token for trying the API (a clinician of organisation RR8, read and search, 8 hours)"
token="$(npm run -s cli -- token --scope 'user/*.rs' --role clinician --org RR8 --ttl 8h | tail -n 1)"

cat <<MSG

Continuum is running.
  FHIR base      http://127.0.0.1:8080/fhir
  API health     http://127.0.0.1:8080/health
  API metrics    http://127.0.0.1:8080/metrics
  Ingest         http://127.0.0.1:9464/metrics   (health: /health)
  Indexer        http://127.0.0.1:9465/metrics   (health: /health)
  Exporter       http://127.0.0.1:9466/metrics   (health: /health; Bulk Data \$export workers)
  Elasticsearch  http://127.0.0.1:9200
  Logs           $run_dir/{api,ingest,indexer,exporter}.log
Try:
  curl -s http://127.0.0.1:8080/health
  export TOKEN='$token'
  curl -s -H "Authorization: Bearer \$TOKEN" 'http://127.0.0.1:8080/fhir/Patient?_count=5&_summary=true'
  curl -s -H "Authorization: Bearer \$TOKEN" 'http://127.0.0.1:8080/fhir/Patient/<id>/\$everything'
  Bulk export:   npm run cli -- export --type Patient,Condition --out /tmp/export --token \
                   "\$(npm run -s cli -- token --scope 'system/*.rs' --purpose HOPERAT | tail -n 1)"
More tokens: npm run cli -- token --help (scopes, roles, patient-only tokens).

Press Ctrl-C to stop the apps.
MSG
wait "${pids[@]}"
