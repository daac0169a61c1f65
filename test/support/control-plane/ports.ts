/** Moved to hack/local-cluster/ports.ts (the local control plane is product tooling); this path stays for tests. */
export * from '../../../hack/local-cluster/ports.ts';
