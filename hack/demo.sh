#!/usr/bin/env bash
# Runs cert-deployer locally and keeps it running until Ctrl-C: a real control plane (etcd +
# kube-apiserver built from Go modules, cached) with the CRDs, the controller installed by the
# chart and run as the image built from the Dockerfile under runc (or as a process where that
# cannot run), and an nginx behind a real sshd granted by a DeploymentPolicy. It prints the
# kubeconfig and the example to apply. Ctrl-C (or SIGTERM) stops everything and removes it.
#   ./hack/demo.sh [--controller=image|process]
#   ./hack/demo.sh --demo      the scripted walk-through instead (creates, rotates, stops)
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
ensure_apt openssl openssh-server nginx
ensure_k8s
cd "$ROOT"
if [ "${1:-}" = "--demo" ]; then
  [ $# -eq 1 ] || { log "--demo takes no other argument"; exit 2; }
  exec node --import ./hack/sdk-from-source.ts hack/demo.ts
fi
# The image needs root (runc, buildah's chroot); a failed build falls back to the process form.
if [ "$(id -u)" = 0 ] && [[ " $* " != *" --controller=process "* ]]; then
  ensure_image || { log "the image could not be built: the controller runs as a process"; unset CD_IMAGE_DIR; }
fi
exec node --import ./hack/sdk-from-source.ts hack/local-env.ts "$@"
