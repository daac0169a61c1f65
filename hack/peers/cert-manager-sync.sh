#!/usr/bin/env bash
# Builds the benchmark's peer, cert-manager-sync v1.5.1, from the source snapshot that sits next to
# the clone (../shared/peers/cert-manager-sync, see its README: the Go module proxy refuses that
# module, its dependencies are served) into ~/.cache/cert-deployer/peers/, once per snapshot.
# Prints the binary's path on its last line. Used by `npm run bench` (hack/bench.sh) and
# hack/test.sh (the bench smoke test runs the peer at tiny scale).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${CD_CACHE_DIR:-$HOME/.cache/cert-deployer}"
VERSION="v1.5.1-e4f66ce"   # tag v1.5.1, commit e4f66ce: what ../shared/peers/README.md pins
SRC="${CD_PEERS_DIR:-$ROOT/../shared/peers}/cert-manager-sync"
OUT="$CACHE/peers/cert-manager-sync-$VERSION"
if [ -x "$OUT/cert-manager-sync" ]; then echo "$OUT/cert-manager-sync"; exit 0; fi
if [ ! -f "$SRC/go.mod" ] || ! grep -q '^module github.com/robertlestak/cert-manager-sync' "$SRC/go.mod"; then
  cat >&2 <<MSG
[cert-deployer] the benchmark's peer is not built and its source snapshot is missing:
  expected cert-manager-sync $VERSION at $SRC (a sibling of this clone: ../shared/peers/cert-manager-sync),
  or set CD_PEERS_DIR to the folder holding cert-manager-sync/. Without it, run the bench with --no-peer.
MSG
  exit 1
fi
command -v go >/dev/null || { echo "[cert-deployer] building the peer needs Go on PATH (go 1.24 or newer)" >&2; exit 1; }
echo "[cert-deployer] building cert-manager-sync $VERSION into $OUT (about 6 minutes cold on 2 cores)" >&2
mkdir -p "$OUT.tmp"
# The snapshot is read-only in CI: build from it in place, with caches under $CACHE.
(cd "$SRC" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -o "$OUT.tmp/cert-manager-sync" ./cmd/cert-manager-sync) >&2
mv "$OUT.tmp" "$OUT"
echo "$OUT/cert-manager-sync"
