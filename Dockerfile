# syntax=docker/dockerfile:1
# The cert-deployer controller image.
#
# Built two ways from this one file:
#   - with a registry (CI, release): `docker buildx build .` on the default base images below;
#   - without one (these machines, hack/test.sh): `hack/image/build.sh` makes local equivalents
#     of both base images (Debian bookworm minbase + the same Node binary the tests run) and
#     runs `buildah bud --isolation chroot` with NODE_BUILD_IMAGE / NODE_RUNTIME_IMAGE pointing
#     at them. test/integration/image runs the result under runc. See docs/image.md.
#
# Three stages: `build` compiles TypeScript with the dev dependencies, `deps` installs only the
# production dependencies, and the runtime image (distroless: no shell, no package manager, runs
# as uid 65532) receives just dist/ and those node_modules.
# The builder and runtime share the Debian release (bookworm = debian12) so that any native addon
# would link against the same glibc; install scripts are disabled, so today there are none
# (ssh2 falls back to its pure-JS crypto). The release workflow pins both images by digest.

ARG NODE_BUILD_IMAGE=node:26-bookworm-slim
ARG NODE_RUNTIME_IMAGE=gcr.io/distroless/nodejs26-debian12:nonroot

FROM ${NODE_BUILD_IMAGE} AS build
WORKDIR /src
# The connector SDK is an npm workspace (packages/connector-sdk): npm ci needs its manifest, and
# `npm run build` compiles it to packages/connector-sdk/dist before the operator's own tsc.
COPY package.json package-lock.json ./
COPY packages/connector-sdk/package.json ./packages/connector-sdk/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/connector-sdk/tsconfig.build.json ./packages/connector-sdk/
COPY packages/connector-sdk/src ./packages/connector-sdk/src
COPY src ./src
RUN npm run build

FROM ${NODE_BUILD_IMAGE} AS deps
WORKDIR /src
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY packages/connector-sdk/package.json ./packages/connector-sdk/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="cert-deployer" \
      org.opencontainers.image.description="Deploys TLS certificates from Kubernetes Secrets to servers and clouds outside the cluster" \
      org.opencontainers.image.source="https://github.com/cert-deployer/cert-deployer" \
      org.opencontainers.image.licenses="Apache-2.0"
# Distroless :nonroot already runs as 65532, and WORKDIR/COPY would then make /app its own; as
# root they stay root-owned and read-only to the process: the controller never writes its own code.
USER 0:0
WORKDIR /app
# The commit `cert-deployer --version` reports and the startup log line carries:
#   docker build --build-arg COMMIT=$(git rev-parse --short HEAD) .
ARG COMMIT=unknown
ENV NODE_ENV=production CERT_DEPLOYER_COMMIT=${COMMIT}
LABEL org.opencontainers.image.revision=${COMMIT}
# package.json carries "type": "module", without which Node would load dist/ as CommonJS.
COPY package.json ./
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# node_modules/@cert-deployer/connector-sdk is npm's relative workspace link to this directory;
# the operator's dist/ imports the SDK by name and Node follows the link to its built dist/.
COPY --from=build /src/packages/connector-sdk/package.json ./packages/connector-sdk/
COPY --from=build /src/packages/connector-sdk/dist ./packages/connector-sdk/dist
USER 65532:65532
EXPOSE 8080
# Absolute path: distroless keeps node at /nodejs/bin/node. The controller handles SIGTERM itself
# (Node as PID 1 gets no default signal handlers), finishing in-flight work within
# --shutdown-grace-seconds.
# --max-semi-space-size=2: a 2 MiB young generation instead of V8's default (16 MiB and more).
# The controller allocates in small bursts per reconcile; the large nursery mostly held garbage:
# measured over 100 deployments + a rotation of all (test/bench, 2026-12-05), peak RSS 146 MiB
# by default, 125 with 4, 121 with 2, 119 with 1, while scavenge CPU went 130 → 262 (2) →
# 464 ms (1): 2 is the knee. The old-generation limit is left to V8, which sizes it from the
# container's memory limit. test/bench/harness/tools.ts runs the benchmark with exactly these
# flags (test/unit/bench/shipped-flags.test.ts keeps them equal).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=2", "dist/src/main.js"]
