#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs Node 26, npm deps, Debian servers and the
# real control plane binaries (cached), then lints, type-checks and runs every test.
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
ensure_plugins
ensure_apt openssl openssh-server openssh-client nginx apache2 haproxy python3-venv prometheus
ensure_k8s
ensure_cert_manager
ensure_image; ensure_actionlint; ensure_helm_docs; ensure_agent
ensure_peers optional   # cert-manager-sync for the bench smoke test (test/integration/bench)
cd "$ROOT"
log "lint";      npx eslint .
log "typecheck"; npx tsc -p tsconfig.json --noEmit
log "tests"
# vitest's own summary plus one plain closing line ("N passed, N failed") that any CI reads.
report="$(mktemp)"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests+r.numTodoTests} skipped`)' "$report" || true
rm -f "$report"
exit $status
