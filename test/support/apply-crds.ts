/** Moved to hack/local-cluster/apply-crds.ts (used by the demo too); this path stays for tests. */
export * from '../../hack/local-cluster/apply-crds.ts';
