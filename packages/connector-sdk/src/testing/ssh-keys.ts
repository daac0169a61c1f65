/** Moved to hack/local-cluster/targets/keys.ts (the local environment starts the same sshd); this path stays for tests. */
export * from '../../../hack/local-cluster/targets/keys.ts';
