#!/usr/bin/env bash
# Builds the real cert-manager controller (SelfSigned and CA issuers, no webhook) from Go
# modules into ~/.cache/cert-deployer/bin-cert-manager-<version>/, together with cert-manager's
# CRDs (crds/*.yaml, copied from the module). Cached by version and by the hash of main.go.
# Prints the directory on its last line.
# Why a wrapper module with our own main.go: the official cmd/controller is a nested module
# whose go.mod replaces the root module with ../../, so the Go module proxy cannot serve it;
# the root module github.com/cert-manager/cert-manager exports the controllers (see main.go).
# v1.21.x builds against k8s.io/* v0.36, the same minor as our kube-apiserver v1.36.3.
set -euo pipefail
CMV="${CD_CERT_MANAGER_VERSION:-v1.21.2}"
here="$(cd "$(dirname "$0")" && pwd)"
cache="${CD_CACHE_DIR:-$HOME/.cache/cert-deployer}/bin-cert-manager-$CMV"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
log() { echo "[build-cert-manager] $*" >&2; }

stamp="$CMV $(sha256sum "$here/main.go" | cut -d' ' -f1)"
if [ -x "$cache/cert-manager-controller" ] && [ -f "$cache/crds/cert-manager.io_certificates.yaml" ] \
   && [ "$(cat "$cache/.stamp" 2>/dev/null)" = "$stamp" ]; then
  log "cached: $cache"
  echo "$cache"; exit 0
fi
mkdir -p "$cache"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
# The wrapper module is generated, not committed: its requirements are exactly cert-manager's
# own go.mod at the pinned version (minimal version selection; tidy does not upgrade).
cd "$work"
cp "$here/main.go" .
go mod init cert-deployer.invalid/cert-manager-testbin >/dev/null 2>&1
t0=$(date +%s)
go get "github.com/cert-manager/cert-manager@$CMV" >&2
go mod tidy >&2
log "modules resolved in $(( $(date +%s) - t0 ))s"
t1=$(date +%s)
go build -trimpath -ldflags "-s -w" -o "$cache/cert-manager-controller.tmp" .
log "cert-manager-controller built in $(( $(date +%s) - t1 ))s"
src="$(go list -m -f '{{.Dir}}' github.com/cert-manager/cert-manager)"
rm -rf "$cache/crds.tmp"; mkdir -p "$cache/crds.tmp"
cp "$src"/deploy/crds/*.yaml "$cache/crds.tmp/"
chmod 0644 "$cache"/crds.tmp/*.yaml   # the module cache is read-only
rm -rf "$cache/crds"; mv "$cache/crds.tmp" "$cache/crds"
mv "$cache/cert-manager-controller.tmp" "$cache/cert-manager-controller"
echo "$stamp" > "$cache/.stamp"
echo "$cache"
