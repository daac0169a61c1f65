#!/usr/bin/env bash
# Builds the repository's Dockerfile here, without a Docker engine or a registry: the local base
# images from base-images.sh go in through the Dockerfile's build args, `buildah bud` builds
# with chroot isolation (no daemon; crun refuses this machine's hybrid cgroups and nothing
# else needs a runtime), and the result is exported as an OCI layout and unpacked by umoci into
# a runc bundle root file system.
#
# Cached under ~/.cache/cert-deployer/image/cert-deployer-<key>, where <key> hashes the
# Dockerfile, .dockerignore, the package manifests, the tsconfigs, src/ and the SDK workspace's
# src/ (what the build context lets through) and the base images' key; a second run with the same inputs returns at once.
# Prints the directory last; it holds:
#   oci/              OCI image layout (tag cert-deployer)
#   bundle/rootfs     the unpacked image, bundle/config.json the runtime spec umoci derived
#   image.json        reference, id, sizes and the cold build time
source "$(dirname "$0")/common.sh"
ensure_node
ensure_image_tools

mapfile -t bases < <(bash "$ROOT/hack/image/base-images.sh")
[ ${#bases[@]} -eq 2 ] || { log "base-images.sh printed ${#bases[@]} lines, expected 2"; exit 1; }

cd "$ROOT"
inputs=(Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json
  packages/connector-sdk/package.json packages/connector-sdk/tsconfig.build.json)
mapfile -t sources < <(find src packages/connector-sdk/src -type f ! -name '*.test.ts' | LC_ALL=C sort)
KEY="$( { content_hash "${inputs[@]}" "${sources[@]}"; printf '%s\n' "${bases[@]}"; } | sha256sum | cut -c1-16)"
OUT="$IMAGE_CACHE/cert-deployer-$KEY"
REF="$IMAGE_REPO:$KEY"
cached() { [ -f "$OUT/image.json" ] && [ -x "$OUT/bundle/rootfs/nodejs/bin/node" ]; }
if cached; then touch "$OUT"; echo "$OUT"; exit 0; fi
# One build at a time per machine (parallel runs share the cache); the winner's result serves all.
mkdir -p "$IMAGE_CACHE"
exec 9>"$IMAGE_CACHE/build.lock"
flock 9
if cached; then touch "$OUT"; echo "$OUT"; exit 0; fi

rm -rf "$OUT"
mkdir -p "$OUT"
started=$SECONDS
log "buildah bud $REF"
# Machines whose egress re-signs TLS (a proxy CA in the host's bundle) need npm inside the build
# to trust that bundle too. It is mounted for the RUN steps only (never committed to a layer),
# with an npmrc naming it; CI with plain egress gets the same build without it.
trust=()
host_ca="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
if [ -r "$host_ca" ]; then
  printf 'cafile=/run/host-ca/ca.crt\n' > "$OUT/npmrc"
  trust=(--volume "$host_ca:/run/host-ca/ca.crt:ro" --volume "$OUT/npmrc:/root/.npmrc:ro")
fi
# Not the host's npm cache: the deps stage cleans its cache, which would wipe a mounted one.
buildah_ bud --isolation chroot --pull=false --layers=false --quiet \
  --build-arg NODE_BUILD_IMAGE="${bases[0]}" --build-arg NODE_RUNTIME_IMAGE="${bases[1]}" \
  "${trust[@]}" --tag "$REF" --file Dockerfile . >&2
rm -f "$OUT/npmrc"
built=$((SECONDS - started))

buildah_ push --quiet "$REF" "oci:$OUT/oci:cert-deployer" >&2
umoci unpack --image "$OUT/oci:cert-deployer" "$OUT/bundle" >&2

id="$(buildah_ inspect --type image --format '{{.FromImageID}}' "$REF")"
rootfs_bytes="$(du -sb "$OUT/bundle/rootfs" | cut -f1)"
layers_bytes="$(du -sb "$OUT/oci/blobs" | cut -f1)"
printf '{"ref":"%s","id":"%s","rootfsBytes":%s,"ociBytes":%s,"buildSeconds":%s,"bases":["%s","%s"]}\n' \
  "$REF" "$id" "$rootfs_bytes" "$layers_bytes" "$built" "${bases[0]}" "${bases[1]}" > "$OUT/image.json"

# vfs stores every image in full: drop builds nobody used for two hours (other checkouts on
# this machine may be running tests on theirs right now), and their images.
find "$IMAGE_CACHE" -maxdepth 1 -name 'cert-deployer-*' -mmin +120 -exec rm -rf {} +
for old in $(buildah_ images --noheading --format '{{.Name}}:{{.Tag}}' | grep -E "^$IMAGE_REPO:" || true); do
  [ -d "$IMAGE_CACHE/cert-deployer-${old##*:}" ] || buildah_ rmi "$old" >/dev/null 2>&1 || true
done
buildah_ rmi --prune >/dev/null 2>&1 || true
log "image $REF built in ${built} s ($((rootfs_bytes / 1048576)) MiB unpacked)"
echo "$OUT"
