/** Moved to hack/local-cluster/readiness.ts (the local control plane is product tooling); this path stays for tests. */
export * from '../../../hack/local-cluster/readiness.ts';
