#!/usr/bin/env bash
# Regenerates charts/cert-deployer/README.md from the `# --` comments in values.yaml and
# README.md.gotmpl with helm-docs (built from its Go module, cached). The chart-readme test
# fails when the committed README differs from what this writes.
source "$(dirname "$0")/lib.sh"
ensure_helm_docs
cd "$ROOT/charts/cert-deployer"
"$CD_HELM_DOCS" --chart-search-root . --template-files README.md.gotmpl --output-file README.md >&2
log "wrote charts/cert-deployer/README.md"
