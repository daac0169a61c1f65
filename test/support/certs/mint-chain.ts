/** Moved to hack/local-cluster/mint-chain.ts (the demo mints its certificates with it); this path stays for tests. */
export * from '../../../packages/connector-sdk/src/testing/mint-chain.ts';
