#!/usr/bin/env bash
# The whole test suite (the README's test command, and what CI runs): static checks, then unit, integration and
# end-to-end tests against the real Postgres, Kafka and Elasticsearch, which it brings up when they are not running.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ensure_node_modules

step "Static checks: TypeScript (strict) and ESLint (including the architecture boundaries)"
npx tsc -p tsconfig.json --noEmit
npx eslint --max-warnings 0 "{apps,libs,test,bench}/**/*.ts"

step "Browser: Debian's chromium for the portal's browser tests (installed when missing; no browser download)"
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing and apt-get is not available: install Chromium and set CHROMIUM_PATH" >&2
    exit 1
  fi
fi

step "Infrastructure: Postgres, Kafka, Elasticsearch"
bash scripts/infra/infra.sh up

results_dir="$(mktemp -d)"
trap 'rm -rf "$results_dir"' EXIT

run_tier() {
  local tier="$1"
  step "Tests: $tier"
  npx jest -c "jest.$tier.config.js" --passWithNoTests --json --outputFile "$results_dir/$tier.json"
}

status=0
run_tier unit || status=1
run_tier int || status=1
run_tier e2e || status=1

step "Migrations: the entities and the migrated schema agree"
# on a scratch database migrated from nothing, so the check never depends on what an earlier run left behind
drift_db=continuum_drift_check
drift_url="postgres://postgres@127.0.0.1:5432/$drift_db"
export PGOPTIONS='-c client_min_messages=warning' # no "does not exist, skipping" notices
if psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $drift_db" -c "CREATE DATABASE $drift_db" &&
  DATABASE_URL="$drift_url" npm run -s migrate >/dev/null; then
  DATABASE_URL="$drift_url" npm run -s migrate:check || status=1
else
  echo "could not migrate an empty database" >&2
  status=1
fi
psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $drift_db" 2>/dev/null || true

node scripts/test-summary.js "$results_dir"/*.json || status=1
exit "$status"
