/**
 * The local cluster: product tooling behind `hack/demo.sh`, the integration tests' global
 * setup and the benchmarks alike. A real etcd + kube-apiserver (built from Go modules by
 * `k8s/build.sh`) with its own PKI on free loopback ports, the CRD apply, certificate minting
 * for sample Secrets, and the object helpers the demo drives. Depends on `src`, never on `test`.
 */
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.ts';
export { applyCrd, applyCrds } from './apply-crds.ts';
export { mintChain, mintImpostor, mintSelfSigned } from '@cert-deployer/connector-sdk/testing';
export type { CaKeyAlgorithm, LeafOptions, MintChainOptions, MintedChain, MintedLeaf, MintKeyAlgorithm } from '@cert-deployer/connector-sdk/testing';
export { createDeployment, eventually, getDeployment, kubeClients, putTlsSecret, readyOf, waitDeploymentGone } from './kube-objects.ts';
export { freePort, freePorts } from './ports.ts';
