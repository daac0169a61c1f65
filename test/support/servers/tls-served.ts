/** Moved to hack/local-cluster/targets/tls-served.ts (the local environment starts the same nginx); this path stays for tests. */
export * from '../../../hack/local-cluster/targets/tls-served.ts';
