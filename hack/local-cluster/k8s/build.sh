#!/usr/bin/env bash
# Builds the real kube-apiserver, kubectl, etcd and helm from Go modules (no Docker, no downloads
# outside the Go module proxy) and caches the binaries under ~/.cache/cert-deployer/<versions>.
# Prints the directory holding the binaries on its last line.
# Why a wrapper module: k8s.io/kubernetes requires its staging modules at v0.0.0 and fixes that
# with local replaces, which a dependency cannot use; we replace each with its published version.
set -euo pipefail
KV="${CD_KUBE_VERSION:-v1.36.3}"
ETCD="${CD_ETCD_VERSION:-v3.6.16}"
HELM="${CD_HELM_VERSION:-v4.3.1}"
SV="v0.${KV#v1.}"
MINOR=$(echo "$KV" | cut -d. -f2)
here="$(cd "$(dirname "$0")" && pwd)"
cache="${CD_CACHE_DIR:-$HOME/.cache/cert-deployer}/bin-k8s-$KV-etcd-$ETCD-helm-$HELM"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
log() { echo "[build-k8s] $*" >&2; }

if [ -x "$cache/kube-apiserver" ] && [ -x "$cache/etcd" ] && [ -x "$cache/helm" ] && [ -x "$cache/kubectl" ] \
   && "$cache/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes $KV"; then
  log "cached: $cache"
  echo "$cache"; exit 0
fi
mkdir -p "$cache"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
# The wrapper module is generated, not committed: its go.mod is derived from the pinned versions.
cd "$work"
go mod init cert-deployer.invalid/k8s-testbins >/dev/null 2>&1
gomod=$(go mod download -json "k8s.io/kubernetes@$KV" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
for m in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$gomod" | sort -u); do
  go mod edit -replace="$m=$m@$SV"
done
t0=$(date +%s)
go get "k8s.io/kubernetes@$KV" >&2
go get "go.etcd.io/etcd/server/v3@$ETCD" >&2
cat > tools.go <<GO
//go:build tools
package tools
import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "go.etcd.io/etcd/server/v3"
)
GO
go mod tidy >&2
log "modules resolved in $(( $(date +%s) - t0 ))s"
LDF="-s -w -X k8s.io/component-base/version.gitVersion=$KV -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$MINOR"
t1=$(date +%s)
go build -trimpath -ldflags "$LDF" -o "$cache/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
log "kube-apiserver built in $(( $(date +%s) - t1 ))s"
t1=$(date +%s)
go build -trimpath -ldflags "$LDF" -o "$cache/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl
log "kubectl built in $(( $(date +%s) - t1 ))s"
t1=$(date +%s)
go build -trimpath -ldflags "-s -w" -o "$cache/etcd.tmp" go.etcd.io/etcd/server/v3
log "etcd built in $(( $(date +%s) - t1 ))s"
t1=$(date +%s)
GOBIN="$work/gobin" go install -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM" "helm.sh/helm/v4/cmd/helm@$HELM"
mv "$work/gobin/helm" "$cache/helm.tmp"
log "helm built in $(( $(date +%s) - t1 ))s"
for b in kube-apiserver kubectl etcd helm; do mv "$cache/$b.tmp" "$cache/$b"; done
echo "$cache"
