#!/usr/bin/env bash
# cert-deployer on a kind cluster, end to end, for people with Docker (docs/quickstart.md):
#   1. a kind cluster;                       5. an "edge" nginx reachable over SSH, in the cluster;
#   2. the image built and loaded into kind; 6. a certificate from cert-manager, the SSH key Secret;
#   3. cert-manager;                         7. the platform admin's DeploymentPolicy;
#   4. the chart;                            8. a CertificateDeployment, until Ready and served.
#
#   hack/kind-quickstart.sh            run it (needs docker, kind, kubectl, helm, ssh-keygen)
#   hack/kind-quickstart.sh manifests  print the manifests of steps 5-8 (the tests validate them)
#   hack/kind-quickstart.sh delete     delete the kind cluster
#
# It cannot run on the project's CI machines (no Docker there); each step is covered by tests
# that can: the chart with hack/kind/values.yaml installed into a real kube-apiserver, the
# manifests below validated by it (server-side dry run), the image under runc.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER="${CLUSTER:-cert-deployer}"
CERT_MANAGER_VERSION="${CERT_MANAGER_VERSION:-v1.21.2}"
NAMESPACE="${NAMESPACE:-shop}"
IMAGE="localhost/cert-deployer:quickstart"
EDGE_IMAGE="localhost/cert-deployer-edge:quickstart"
EDGE="edge.${NAMESPACE}.svc.cluster.local"
say() { printf '\n==> %s\n' "$*" >&2; }

# Steps 5-8 as one YAML stream. Needs HOST_KEY_PUB (the edge's ssh-ed25519 public key line).
manifests() {
  : "${HOST_KEY_PUB:?HOST_KEY_PUB must be the edge host key line}"
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: { name: edge, namespace: ${NAMESPACE} }
spec:
  replicas: 1
  selector: { matchLabels: { app: edge } }
  template:
    metadata: { labels: { app: edge } }
    spec:
      containers:
        - name: edge
          image: ${EDGE_IMAGE}
          imagePullPolicy: Never
          ports: [{ containerPort: 22 }, { containerPort: 443 }]
          volumeMounts: [{ name: keys, mountPath: /etc/ssh/keys, readOnly: true }]
      volumes:
        - name: keys
          secret: { secretName: edge-sshd, defaultMode: 0400 }
---
apiVersion: v1
kind: Service
metadata: { name: edge, namespace: ${NAMESPACE} }
spec:
  selector: { app: edge }
  ports:
    - { name: ssh, port: 22 }
    - { name: https, port: 443 }
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: { name: selfsigned, namespace: ${NAMESPACE} }
spec: { selfSigned: {} }
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: shop-web, namespace: ${NAMESPACE} }
spec:
  secretName: shop-web-tls
  dnsNames: [shop.example.com]
  issuerRef: { name: selfsigned }
---
apiVersion: certdeployer.io/v1alpha1
kind: DeploymentPolicy
metadata: { name: quickstart-${NAMESPACE} }
spec:
  namespaces: [${NAMESPACE}]
  hosts:
    - ssh: { address: "${EDGE}:22", hostKeys: ["${HOST_KEY_PUB}"] }
      pathRoots: [/etc/nginx/tls]
      commands: [[/usr/sbin/nginx, -t], [/usr/sbin/nginx, -s, reload]]
  dial: ["${EDGE}:443"]
  credentialSecrets: [edge-ssh]
---
apiVersion: certdeployer.io/v1alpha1
kind: CertificateDeployment
metadata: { name: shop-web, namespace: ${NAMESPACE} }
spec:
  secretRef: { name: shop-web-tls }
  targets:
    - name: edge
      nginx:
        host:
          ssh:
            address: "${EDGE}:22"
            user: root
            credentialsRef: { name: edge-ssh }
            hostKey: "${HOST_KEY_PUB}"
        certificatePath: /etc/nginx/tls/shop.crt
        privateKeyPath: /etc/nginx/tls/shop.key
        configTest: [/usr/sbin/nginx, -t]
        reload: [/usr/sbin/nginx, -s, reload]
      verify:
        endpoints: [{ address: "${EDGE}:443", serverName: shop.example.com }]
YAML
}

need() { command -v "$1" >/dev/null || { echo "missing $1: $2" >&2; exit 1; }; }

main() {
  need docker "https://docs.docker.com/engine/install/"
  need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
  need kubectl "https://kubernetes.io/docs/tasks/tools/"
  need helm "https://helm.sh/docs/intro/install/"
  need ssh-keygen "the openssh-client package"

  say "1. kind cluster ${CLUSTER}"
  kind get clusters | grep -qx "${CLUSTER}" || kind create cluster --name "${CLUSTER}" --wait 120s
  kubectl config use-context "kind-${CLUSTER}" >/dev/null

  say "2. the controller image from the repository's Dockerfile, loaded into kind"
  docker build --build-arg COMMIT="$(git -C "${ROOT}" rev-parse --short HEAD 2>/dev/null || echo unknown)" -t "${IMAGE}" "${ROOT}"
  docker build -t "${EDGE_IMAGE}" -f "${ROOT}/hack/kind/edge.Dockerfile" "${ROOT}/hack/kind"
  kind load docker-image --name "${CLUSTER}" "${IMAGE}" "${EDGE_IMAGE}"

  say "3. cert-manager ${CERT_MANAGER_VERSION}"
  helm upgrade --install cert-manager cert-manager --repo https://charts.jetstack.io --version "${CERT_MANAGER_VERSION}" \
    --namespace cert-manager --create-namespace --set crds.enabled=true --wait --timeout 5m

  say "4. the cert-deployer chart (charts/cert-deployer with hack/kind/values.yaml)"
  helm upgrade --install cert-deployer "${ROOT}/charts/cert-deployer" --namespace cert-deployer --create-namespace \
    -f "${ROOT}/hack/kind/values.yaml" --wait --timeout 3m
  helm test cert-deployer --namespace cert-deployer --timeout 2m

  say "5-6. the edge server (nginx + sshd) and its keys; a certificate from cert-manager"
  local keys; keys="$(mktemp -d)"
  trap 'rm -rf "${keys}"' EXIT
  ssh-keygen -q -t ed25519 -N '' -C edge -f "${keys}/ssh_host_ed25519_key"
  ssh-keygen -q -t ed25519 -N '' -C cert-deployer -f "${keys}/client"
  kubectl create namespace "${NAMESPACE}" --dry-run=client -o yaml | kubectl apply -f -
  kubectl -n "${NAMESPACE}" create secret generic edge-sshd --dry-run=client -o yaml \
    --from-file=ssh_host_ed25519_key="${keys}/ssh_host_ed25519_key" --from-file=authorized_keys="${keys}/client.pub" | kubectl apply -f -
  kubectl -n "${NAMESPACE}" create secret generic edge-ssh --type=kubernetes.io/ssh-auth --dry-run=client -o yaml \
    --from-file=ssh-privatekey="${keys}/client" | kubectl apply -f -
  HOST_KEY_PUB="$(cut -d' ' -f1,2 "${keys}/ssh_host_ed25519_key.pub")"
  export HOST_KEY_PUB

  say "7-8. the DeploymentPolicy (platform admin) and the CertificateDeployment (tenant)"
  manifests | kubectl apply -f -
  kubectl -n "${NAMESPACE}" rollout status deployment/edge --timeout 3m
  kubectl -n "${NAMESPACE}" wait certificate/shop-web --for=condition=Ready --timeout 3m
  kubectl -n "${NAMESPACE}" wait certificatedeployment/shop-web --for=condition=Ready --timeout 5m
  kubectl -n "${NAMESPACE}" get certificatedeployment shop-web -o wide

  say "nginx in the edge pod now serves the certificate cert-manager issued:"
  kubectl -n "${NAMESPACE}" exec deploy/edge -- sh -c \
    'openssl s_client -connect 127.0.0.1:443 -servername shop.example.com </dev/null 2>/dev/null | openssl x509 -noout -subject -fingerprint -sha256'
  echo "Next: kubectl cert-manager renew, or delete Secret shop-web-tls, and watch: kubectl -n ${NAMESPACE} get certdeploy -w" >&2
  echo "Remove it all: hack/kind-quickstart.sh delete" >&2
}

case "${1:-}" in
  "") main ;;
  manifests) manifests ;;
  delete) kind delete cluster --name "${CLUSTER}" ;;
  *) echo "usage: $0 [manifests|delete]" >&2; exit 2 ;;
esac
