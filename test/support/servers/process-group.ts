/** Moved to hack/local-cluster/targets/process-group.ts (the local environment starts the same nginx); this path stays for tests. */
export * from '../../../hack/local-cluster/targets/process-group.ts';
