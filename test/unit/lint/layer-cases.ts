/**
 * The planted violations and the legitimate imports of test/unit/lint/layers.test.ts: one
 * table per outcome, one row per rule and folder. `file` is a path that does not exist but
 * sits in the folder whose rules apply; `code` is the whole planted module.
 */
export interface LayerCase {
  readonly file: string;
  readonly code: string;
}
export interface PlantedViolation extends LayerCase {
  /** The rule tag the message must carry. */
  readonly tag: string;
}

const use = (spec: string, name = 'x') => `import { ${name} } from '${spec}';\nexport const y = ${name};\n`;

export const plantedViolations: readonly PlantedViolation[] = [
  // connectors: the SDK package root only (no subpath, nothing of ours by path), no I/O, no kube, no test
  { file: 'src/connectors/mine/mine.ts', code: use('../../controller/target-runner.ts'), tag: 'connectors/sdk-only' },
  { file: 'src/connectors/mine/config.ts', code: use('../../crds/common.ts', 'hostPort'), tag: 'connectors/sdk-only' },
  { file: 'src/connectors/mine/endpoint.ts', code: use('../../sandbox/index.ts'), tag: 'connectors/sdk-only' },
  { file: 'src/connectors/mine/mine.ts', code: use('../../../packages/connector-sdk/src/connector.ts'), tag: 'connectors/sdk-only' },
  { file: 'src/connectors/mine/mine.ts', code: use('../other/other.ts'), tag: 'connectors/sdk-only' },
  { file: 'src/connectors/mine/mine.ts', code: use('@cert-deployer/connector-sdk/sandbox', 'createSandbox'), tag: 'connectors/sdk-only' },
  { file: 'src/connectors/mine/mine.test-kit.ts', code: use('@cert-deployer/connector-sdk/conformance', 'runConformance'), tag: 'connectors/sdk-only' },
  // the registry: never the controller or crds
  { file: 'src/connectors/mine.ts', code: use('../controller/config.ts'), tag: 'connectors/no-controller' },
  { file: 'src/connectors/mine.ts', code: use('../crds/names.ts'), tag: 'connectors/no-crds' },
  { file: 'src/connectors/mine.ts', code: use('../../packages/connector-sdk/src/index.ts'), tag: 'sdk/by-name' },
  // the SDK package: self-contained; the contract loads no runtime; the runtime no test kit
  { file: 'packages/connector-sdk/src/mine.ts', code: use('../../../src/controller/config.ts'), tag: 'sdk/self-contained' },
  { file: 'packages/connector-sdk/src/sandbox/mine.ts', code: use('../../../../src/core/conditions.ts'), tag: 'sdk/self-contained' },
  { file: 'packages/connector-sdk/src/conformance/mine.ts', code: use('../../../../test/support/kube.ts'), tag: 'sdk/self-contained' },
  { file: 'packages/connector-sdk/src/testing/mine.ts', code: use('../../../../hack/local-cluster/index.ts'), tag: 'sdk/self-contained' },
  { file: 'packages/connector-sdk/src/mine.ts', code: use('cert-deployer/dist/src/main.js'), tag: 'sdk/self-contained' },
  { file: 'packages/connector-sdk/src/mine.ts', code: use('./sandbox/checked-sandbox.ts', 'createSandbox'), tag: 'sdk/contract-pure' },
  { file: 'packages/connector-sdk/src/credential/mine.ts', code: use('../sandbox/host/local-host.ts', 'LocalHost'), tag: 'sdk/contract-pure' },
  { file: 'packages/connector-sdk/src/mine.ts', code: use('./conformance/run-conformance.ts', 'runConformance'), tag: 'sdk/contract-pure' },
  { file: 'packages/connector-sdk/src/mine.ts', code: use('vitest', 'expect'), tag: 'sdk/contract-pure' },
  { file: 'packages/connector-sdk/src/mine.ts', code: use('node:fs/promises', 'readFile'), tag: 'layer/io' },
  { file: 'packages/connector-sdk/src/formats/mine.ts', code: `export const m = () => import('node:child_process');\n`, tag: 'layer/io' },
  { file: 'packages/connector-sdk/src/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig'), tag: 'layer/kube' },
  { file: 'packages/connector-sdk/src/sandbox/host/mine.ts', code: use('../../testing/mint-chain.ts', 'mintChain'), tag: 'sdk/runtime-no-test' },
  { file: 'packages/connector-sdk/src/sandbox/mine.ts', code: use('vitest', 'expect'), tag: 'sdk/runtime-no-test' },
  { file: 'src/connectors/mine/mine.ts', code: use('node:fs/promises', 'readFile'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('fs', 'readFileSync'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('undici', 'fetch'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('ssh2', 'Client'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('node:child_process', 'spawn'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: `export const m = () => import('node:net');\n`, tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('@kubernetes/client-node', 'CoreV1Api'), tag: 'layer/kube' },
  { file: 'src/connectors/mine/mine.ts', code: use('../../../test/support/certs/index.ts'), tag: 'layer/test' },
  // sandbox (the operator's name for the SDK runtime): never controller, connectors or crds; no kube
  { file: 'src/sandbox/host/mine.ts', code: use('../../controller/logger.ts'), tag: 'sandbox/no-upper' },
  { file: 'src/sandbox/mine.ts', code: use('../connectors/registry.ts'), tag: 'sandbox/no-upper' },
  { file: 'src/sandbox/mine.ts', code: use('../../packages/connector-sdk/src/sandbox/grant.ts'), tag: 'sdk/by-name' },
  { file: 'src/sandbox/mine.ts', code: use('../crds/names.ts'), tag: 'sandbox/no-upper' },
  { file: 'src/sandbox/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig'), tag: 'layer/kube' },
  { file: 'src/sandbox/mine.ts', code: use('../../test/support/kube.ts'), tag: 'layer/test' },
  // crds: only zod, yaml, its own files and connector config atoms
  { file: 'src/crds/mine.ts', code: use('../sandbox/grant.ts'), tag: 'crds/pure' },
  { file: 'src/crds/mine.ts', code: use('@cert-deployer/connector-sdk/sandbox', 'EMPTY_GRANT'), tag: 'crds/pure' },
  { file: 'src/crds/mine.ts', code: use('../connectors/aws-acm/config.ts'), tag: 'crds/pure' },
  { file: 'src/crds/mine.ts', code: use('node:fs', 'readFileSync'), tag: 'crds/pure' },
  { file: 'src/crds/mine.ts', code: use('pino'), tag: 'crds/pure' },
  { file: 'src/crds/generate.ts', code: use('../controller/config.ts'), tag: 'crds/generator' },
  // core: the bottom layer
  { file: 'src/core/mine.ts', code: use('../sandbox/index.ts'), tag: 'core/bottom' },
  { file: 'src/core/mine.ts', code: use('../controller/reasons.ts'), tag: 'core/bottom' },
  { file: 'src/core/mine.ts', code: use('../connectors/registry.ts'), tag: 'core/bottom' },
  { file: 'src/core/mine.ts', code: use('@cert-deployer/connector-sdk/sandbox', 'createSandbox'), tag: 'core/bottom' },
  { file: 'src/core/mine.ts', code: use('../../packages/connector-sdk/src/core/errors.ts'), tag: 'sdk/by-name' },
  { file: 'src/core/mine.ts', code: use('../crds/names.ts'), tag: 'core/bottom' },
  { file: 'src/core/mine.ts', code: use('node:dns', 'lookup'), tag: 'layer/io' },
  { file: 'src/core/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig'), tag: 'layer/kube' },
  { file: 'src/core/mine.ts', code: use('../../test/support/kube.ts'), tag: 'layer/test' },
  // controller: I/O only in the named exceptions; never test
  { file: 'src/controller/mine.ts', code: use('node:http', 'createServer'), tag: 'layer/io' },
  { file: 'src/controller/runtime/mine.ts', code: use('undici', 'fetch'), tag: 'layer/io' },
  { file: 'src/controller/mine.ts', code: use('node:tls', 'connect'), tag: 'layer/io' },
  { file: 'src/controller/mine.ts', code: use('../../test/support/controller-harness.ts'), tag: 'layer/test' },
  { file: 'src/controller/mine.ts', code: use('../../packages/connector-sdk/src/sandbox/index.ts', 'createSandbox'), tag: 'sdk/by-name' },
  { file: 'src/controller/http-server.ts', code: use('../../test/support/kube.ts'), tag: 'layer/test' },
  { file: 'src/main.ts', code: use('../test/support/kube.ts'), tag: 'layer/test' },
  // a new top-level folder under src gets the strict default
  { file: 'src/newlayer/mine.ts', code: use('node:http2', 'connect'), tag: 'layer/io' },
  { file: 'src/newlayer/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig'), tag: 'layer/kube' },
  // connector-worker: the worker's entry, codec and runtime; connectors only through the registry, no I/O
  { file: 'src/connector-worker/mine.ts', code: use('../controller/config.ts'), tag: 'connector-worker/no-controller' },
  { file: 'src/connector-worker/mine.ts', code: use('../crds/names.ts'), tag: 'connector-worker/no-crds' },
  { file: 'src/connector-worker/mine.ts', code: use('../connectors/file/index.ts', 'fileConnector'), tag: 'connector-worker/registry-only' },
  { file: 'src/connector-worker/mine.ts', code: use('../connectors/registered.ts', 'fileConnector'), tag: 'connector-worker/registry-only' },
  { file: 'src/connector-worker/mine.ts', code: use('@cert-deployer/connector-sdk/conformance', 'runConformance'), tag: 'connector-worker/registry-only' },
  { file: 'src/connector-worker/mine.ts', code: use('node:child_process', 'fork'), tag: 'layer/io' },
  { file: 'src/connector-worker/mine.ts', code: `export const m = () => import('node:fs/promises');\n`, tag: 'layer/io' },
  { file: 'src/connector-worker/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig'), tag: 'layer/kube' },
  { file: 'src/connector-worker/mine.ts', code: use('../../test/support/kube.ts'), tag: 'layer/test' },
  { file: 'src/connector-worker/mine.ts', code: use('../../packages/connector-sdk/src/deployment.ts', 'SecretValue'), tag: 'sdk/by-name' },
  // sandbox/worker (the generic pool and protocol): knows no connectors and not their codec
  { file: 'src/sandbox/worker/mine.ts', code: use('../../connector-worker/call-codec.ts', 'encodeCall'), tag: 'sandbox/no-upper' },
  { file: 'src/sandbox/worker/mine.ts', code: use('../../connectors/registry.ts', 'connectorsByName'), tag: 'sandbox/no-upper' },
  // hack: dev tooling, never test code
  { file: 'hack/local-cluster/mine.ts', code: use('../../test/support/certs/index.ts'), tag: 'layer/test' },
  { file: 'hack/mine.ts', code: use('../test/support/controller-harness.ts'), tag: 'layer/test' },
  // time: connectors and the controller take time from the injected clock, never from the process
  { file: 'src/connectors/mine/mine.ts', code: `export const t = () => Date.now();\n`, tag: 'time/clock' },
  { file: 'src/connectors/mine/mine.ts', code: `export const t = () => new Date();\n`, tag: 'time/clock' },
  { file: 'src/connectors/mine/mine.ts', code: `export const t = () => Date();\n`, tag: 'time/clock' },
  { file: 'src/connectors/mine/mine.ts', code: `export const s = () => AbortSignal.timeout(60_000);\n`, tag: 'time/clock' },
  { file: 'src/connectors/mine/mine.ts', code: `export const w = (f: () => void) => setTimeout(f, 10);\n`, tag: 'time/clock' },
  { file: 'src/connectors/mine/mine.ts', code: `export const w = (f: () => void) => globalThis.setInterval(f, 10);\n`, tag: 'time/clock' },
  { file: 'src/connectors/mine/mine.ts', code: `export const t = () => performance.now();\n`, tag: 'time/clock' },
  { file: 'packages/connector-sdk/src/mine.ts', code: `export const t = () => Date.now();\n`, tag: 'time/clock' },
  { file: 'src/controller/mine.ts', code: `export const t = () => Date.now();\n`, tag: 'time/clock' },
  { file: 'src/controller/pipeline/mine.ts', code: `export const s = () => AbortSignal.timeout(1000);\n`, tag: 'time/clock' },
  { file: 'src/controller/reconcile/mine.ts', code: `export const w = (f: () => void) => setTimeout(f, 10);\n`, tag: 'time/clock' },
  { file: 'src/controller/http-server.ts', code: `export const t = () => new Date();\n`, tag: 'time/clock' },
];

export const cleanImports: readonly LayerCase[] = [
  { file: 'src/connector-worker/mine.ts', code: use('../connectors/registry.ts', 'connectorsByName') },
  { file: 'src/connector-worker/mine.ts', code: use('../sandbox/worker/index.ts', 'ConfinedPool') },
  { file: 'src/connector-worker/mine.ts', code: use('@cert-deployer/connector-sdk', 'SecretValue') },
  { file: 'src/connector-worker/mine.ts', code: use('zod', 'z') },
  { file: 'src/sandbox/worker/mine.ts', code: use('node:child_process', 'fork') },
  { file: 'src/sandbox/worker/mine.ts', code: use('@cert-deployer/connector-sdk/sandbox', 'createSandbox') },
  { file: 'src/controller/pipeline/mine.ts', code: use('../../connector-worker/index.ts', 'WorkerConnectorRuntime') },
  { file: 'src/connectors/mine/mine.ts', code: use('@cert-deployer/connector-sdk', 'terminal') },
  { file: 'src/connectors/mine/mine.ts', code: `import { clockOf, type DeployContext } from '@cert-deployer/connector-sdk';\nexport const t = (ctx: DeployContext) => clockOf(ctx).now();\n` },
  { file: 'src/connectors/mine/mine.ts', code: `export const d = (iso: string) => new Date(iso);\n` },
  { file: 'src/controller/mine.ts', code: `export const d = (now: number) => new Date(now).toISOString();\n` },
  { file: 'packages/connector-sdk/src/core/mine.ts', code: `export const t = () => Date.now();\n` },
  { file: 'src/main.ts', code: `export const w = (f: () => void) => setTimeout(f, 10);\n` },
  { file: 'src/connectors/mine/mine.ts', code: use('./config.ts', 'mineConfig') },
  { file: 'src/connectors/mine/mine.ts', code: use('zod', 'z') },
  { file: 'src/connectors/mine/mine.ts', code: use('node:crypto', 'createHash') },
  { file: 'src/connectors/mine/mine-sandbox-client.ts', code: use('./sandbox-http-client.ts') },
  { file: 'src/connectors/mine.ts', code: use('@cert-deployer/connector-sdk', 'defineConnector') },
  { file: 'packages/connector-sdk/src/mine.ts', code: use('./sandbox/errors.ts', 'isDenied') },
  { file: 'packages/connector-sdk/src/mine.ts', code: use('./sandbox/check/host-check.ts', 'canonicalDialAddress') },
  { file: 'packages/connector-sdk/src/mine.ts', code: use('./connector.ts') },
  { file: 'packages/connector-sdk/src/formats/mine.ts', code: use('node-forge') },
  { file: 'packages/connector-sdk/src/sandbox/host/mine.ts', code: use('node:fs/promises', 'open') },
  { file: 'packages/connector-sdk/src/sandbox/net/mine.ts', code: use('undici', 'Agent') },
  { file: 'packages/connector-sdk/src/sandbox/host/mine.ts', code: use('ssh2', 'Client') },
  { file: 'packages/connector-sdk/src/conformance/mine.ts', code: use('vitest', 'expect') },
  { file: 'packages/connector-sdk/src/conformance/mine.ts', code: use('../sandbox/checked-sandbox.ts', 'createSandbox') },
  { file: 'packages/connector-sdk/src/testing/mine.ts', code: use('node:child_process', 'spawn') },
  { file: 'src/sandbox/mine.ts', code: use('@cert-deployer/connector-sdk/sandbox', 'createSandbox') },
  { file: 'src/core/mine.ts', code: use('@cert-deployer/connector-sdk', 'CertDeployerError') },
  { file: 'src/crds/mine.ts', code: use('zod', 'z') },
  { file: 'src/crds/mine.ts', code: use('./names.ts', 'GROUP') },
  { file: 'src/crds/mine.ts', code: use('@cert-deployer/connector-sdk', 'hostPort') },
  { file: 'src/crds/mine.ts', code: use('../core/conditions.ts', 'Condition') },
  { file: 'src/crds/generate.ts', code: use('../connectors/registry.ts', 'connectorBlocks') },
  { file: 'src/crds/generate.ts', code: use('node:fs/promises', 'writeFile') },
  { file: 'src/core/mine.ts', code: use('./errors.ts') },
  { file: 'src/controller/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig') },
  { file: 'src/controller/mine.ts', code: use('../connectors/registry.ts', 'connectors') },
  { file: 'src/controller/mine.ts', code: use('@cert-deployer/connector-sdk/sandbox', 'createSandbox') },
  { file: 'src/controller/runtime/kube-transport.ts', code: use('undici', 'fetch') },
  { file: 'src/controller/http-server.ts', code: use('node:http', 'createServer') },
  { file: 'hack/local-cluster/mine.ts', code: use('node:child_process', 'spawn') },
  { file: 'hack/mine.ts', code: use('../src/crds/names.ts', 'GROUP') },
  { file: 'test/unit/mine.test.ts', code: use('../../hack/local-cluster/index.ts', 'mintChain') },
  { file: 'test/unit/mine.test.ts', code: use('@cert-deployer/connector-sdk/conformance', 'runConformance') },
];
