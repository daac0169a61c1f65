#!/usr/bin/env bash
# Builds the agent's single executable (hack/agent/bundle.ts: rolldown bundle + Node SEA),
# cached under ~/.cache/cert-deployer/agent/cert-deployer-agent-<key>, where <key> hashes the
# sources (the operator's and the connector SDK's), the package manifests, this directory and the Node version. Prints the directory
# last; it holds cert-deployer-agent (the executable) and agent.json (sizes, build time).
source "$(dirname "$0")/../lib.sh"
ensure_node
cd "$ROOT"
mapfile -t inputs < <({ find src packages/connector-sdk/src -type f ! -name '*.test.ts'; find hack/agent -type f; echo hack/sdk-from-source.ts; echo package.json; echo package-lock.json; } | LC_ALL=C sort)
KEY="$( { for f in "${inputs[@]}"; do printf '%s\0' "$f"; sha256sum < "$f"; done; node --version; } | sha256sum | cut -c1-16)"
CACHE="$CD_CACHE/agent"
OUT="$CACHE/cert-deployer-agent-$KEY"
cached() { [ -x "$OUT/cert-deployer-agent" ] && [ -f "$OUT/agent.json" ]; }
if cached; then touch "$OUT"; echo "$OUT"; exit 0; fi
mkdir -p "$CACHE"
exec 9>"$CACHE/build.lock"
flock 9
if cached; then touch "$OUT"; echo "$OUT"; exit 0; fi
rm -rf "$OUT.tmp"
node hack/agent/bundle.ts "$OUT.tmp" >&2
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
# Keep the cache small: builds nobody used for two hours go (about 160 MiB each).
find "$CACHE" -maxdepth 1 -name 'cert-deployer-agent-*' -mmin +120 -exec rm -rf {} +
echo "$OUT"
