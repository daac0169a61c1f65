#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs Node 24, npm deps, Debian servers and the
# real control plane binaries (cached), then lints, type-checks and runs every test.
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
ensure_apt openssl openssh-server openssh-client
ensure_k8s
cd "$ROOT"
log "lint";      npx eslint .
log "typecheck"; npx tsc -p tsconfig.json --noEmit
log "tests";     npx vitest run "$@"
