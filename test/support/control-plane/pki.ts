/** Moved to hack/local-cluster/pki.ts (the local control plane is product tooling); this path stays for tests. */
export * from '../../../hack/local-cluster/pki.ts';
