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
# the portal signs its session cookies with this key; a fresh one per demo run signs everyone out on restart
export PORTAL_SESSION_SECRET="${PORTAL_SESSION_SECRET:-$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))")}"
for app in api ingest indexer exporter portal; do start_app "$app"; done

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
wait_for_url http://127.0.0.1:8090/health portal
wait_for_url http://127.0.0.1:9466/health exporter

step "Loading a generated community of $DEMO_PATIENTS patients through Kafka"
community="$run_dir/community"
rm -rf "$community"
npm run -s cli -- generate --patients "$DEMO_PATIENTS" --seed "$DEMO_SEED" --out "$community" --format kafka
npm run -s cli -- publish prepared "$community/kafka"

step "A token for trying the API (a clinician of organisation RR8, read and search, 8 hours)"
token="$(npm run -s cli -- token --scope 'user/*.rs' --role clinician --org RR8 --ttl 8h | tail -n 1)"

step "Waiting for the master patient index to join one person across three or more sources"
# Ingest links every stored Patient to its person; the identity tables say which persons span several sources.
person_line=""
for _ in $(seq 1 120); do
  person_line="$(npm run -s cli -- identity:persons --min-sources 3 --limit 1 2>/dev/null | head -n 1 || true)"
  [ -n "$person_line" ] && break
  sleep 2
done
if [ -n "$person_line" ]; then
  IFS=$'\t' read -r _person_id person_patients person_sources <<<"$person_line"
  person_patient="${person_patients%%,*}"
  everything_msg="One person, records from ${person_sources//,/, }: \$everything of one of them returns the whole person
  curl -s -H \"Authorization: Bearer \$TOKEN\" 'http://127.0.0.1:8080/fhir/Patient/${person_patient}/\$everything'
  (each entry keeps its meta.source; with jq: | jq '[.entry[].resource.meta.source] | unique')"
else
  everything_msg="(No person spans three sources yet: ingest may still be working; 'npm run cli -- identity:persons' lists them.)"
fi
step "Portal launch links (single-use, valid 5 minutes) for a patient of the demo community"
# ingest may still be writing: wait until a patient with an NHS number is stored
for _ in $(seq 1 60); do
  urgent_link="$(npm run -s cli -- launch-link --role urgent-care --org NWAS --pick --ttl 5m 2>/dev/null | tail -n 1)" && break
  sleep 1
done
gp_link="$(npm run -s cli -- launch-link --role gp --org auto --pick --ttl 5m | tail -n 1)"
smart_link="$(npm run -s cli -- smart-launch --role gp --pick 2>/dev/null | tail -n 1)" || smart_link="(npm run cli -- smart-launch --role gp --pick)"
privacy_link="$(npm run -s cli -- launch-link --role privacy-officer --org X26 --sub demo-privacy-officer --name 'Pat Privacy' --ttl 5m | tail -n 1)"

cat <<MSG

Continuum is running.
  FHIR base      http://127.0.0.1:8080/fhir
  API health     http://127.0.0.1:8080/health
  API metrics    http://127.0.0.1:8080/metrics
  Ingest         http://127.0.0.1:9464/metrics   (health: /health)
  Indexer        http://127.0.0.1:9465/metrics   (health: /health)
  Exporter       http://127.0.0.1:9466/metrics   (health: /health; Bulk Data \$export workers)
  Elasticsearch  http://127.0.0.1:9200
  Portal         http://127.0.0.1:8090
  Logs           $run_dir/{api,ingest,indexer,exporter,portal}.log
Open the clinician portal (each link works once; more: npm run cli -- launch-link --help):
  a clinician of the source holding the patient (GP view): $gp_link
  an ambulance clinician (NWAS, no relationship: break-glass first): $urgent_link
  the same GP view by SMART EHR launch (PKCE S256; more: npm run cli -- smart-launch --help): $smart_link
  the privacy officer (break-glass alerts, who viewed a record): $privacy_link
Try:
  curl -s http://127.0.0.1:8080/health
  export TOKEN='$token'
  curl -s -H "Authorization: Bearer \$TOKEN" 'http://127.0.0.1:8080/fhir/Patient?_count=5&_summary=true'
  curl -s -H "Authorization: Bearer \$TOKEN" 'http://127.0.0.1:8080/fhir/Patient/<id>/\$everything'
$everything_msg
  Bulk export:   npm run cli -- export --type Patient,Condition --out /tmp/export --token \
                   "\$(npm run -s cli -- token --scope 'system/*.rs' --purpose HOPERAT | tail -n 1)"
More tokens: npm run cli -- token --help (scopes, roles, patient-only tokens).

Press Ctrl-C to stop the apps.
MSG
wait "${pids[@]}"
