#!/usr/bin/env bash
# `npm run bench [-- --quick | --smoke | --scale-10k | --no-peer | --no-servers]`: everything the
# benchmark needs on a fresh machine (Node 26, deps, the servers, the control plane binaries, the
# peer cert-manager-sync built from ../shared/peers, dist/ built as the image builds it), then
# test/bench/run.ts, which writes docs/benchmarks.json and regenerates docs/benchmarks.md.
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
ensure_apt openssl nginx apache2 haproxy
ensure_k8s
peer_args=()
if [[ " $* " != *" --no-peer "* ]]; then ensure_peers; peer_args=(--peer "$CD_PEER_CERT_MANAGER_SYNC"); fi
cd "$ROOT"
log "building dist/ and the SDK package (the controller runs as the image runs it: node dist/src/main.js)"
npm run build >&2
# The harness itself imports controller modules from source: the hook maps the SDK package to its source.
exec nice -n 5 node --import ./hack/sdk-from-source.ts test/bench/run.ts "${peer_args[@]}" "$@"
