#!/usr/bin/env bash
# Small helpers shared by the project's scripts.

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Installs dependencies when node_modules is missing or older than the lock file.
ensure_node_modules() {
  command -v node >/dev/null || die "Node.js 20 or later is needed: install it (e.g. apt-get install nodejs) and run again."
  command -v npm >/dev/null || die "npm is needed: install it with Node.js and run again."
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "Installing dependencies (npm ci)"
    npm ci --no-audit --no-fund || die "npm ci failed: check that the npm registry is reachable."
  fi
}
