#!/usr/bin/env bash
# Brings up cert-deployer on its embedded default: a real local control plane (etcd +
# kube-apiserver built from Go modules, cached), the CRDs installed, and the controller.
# Ctrl-C stops everything and removes the temp state.
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
ensure_apt openssl
ensure_k8s
cd "$ROOT"
exec node --import ./hack/sdk-from-source.ts hack/demo.ts "$@"
