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
  // connectors: no controller, no crds, no sandbox internals, SDK only through its barrel, no I/O, no kube, no test
  { file: 'src/connectors/mine/mine.ts', code: use('../../controller/target-runner.ts'), tag: 'connectors/no-controller' },
  { file: 'src/connectors/mine/config.ts', code: use('../../crds/common.ts', 'hostPort'), tag: 'connectors/no-crds' },
  { file: 'src/connectors/mine/endpoint.ts', code: use('../../sandbox/check/host-check.ts'), tag: 'connectors/sandbox-internals' },
  { file: 'src/connectors/mine/mine.ts', code: use('../../sandbox/index.ts'), tag: 'connectors/sdk-barrel' },
  { file: 'src/connectors/mine/mine.ts', code: use('../sdk/connector.ts'), tag: 'connectors/sdk-barrel' },
  { file: 'src/connectors/sdk/mine.ts', code: use('../../sandbox/host/local-host.ts'), tag: 'connectors/sandbox-internals' },
  { file: 'src/connectors/sdk/mine.ts', code: use('../../controller/config.ts'), tag: 'connectors/no-controller' },
  { file: 'src/connectors/mine/mine.ts', code: use('node:fs/promises', 'readFile'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('fs', 'readFileSync'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('undici', 'fetch'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('ssh2', 'Client'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('node:child_process', 'spawn'), tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: `export const m = () => import('node:net');\n`, tag: 'layer/io' },
  { file: 'src/connectors/mine/mine.ts', code: use('@kubernetes/client-node', 'CoreV1Api'), tag: 'layer/kube' },
  { file: 'src/connectors/mine/mine.ts', code: use('../../../test/support/certs/index.ts'), tag: 'layer/test' },
  // sandbox: never controller, connectors or crds; no kube
  { file: 'src/sandbox/host/mine.ts', code: use('../../controller/logger.ts'), tag: 'sandbox/no-upper' },
  { file: 'src/sandbox/mine.ts', code: use('../connectors/sdk/index.ts'), tag: 'sandbox/no-upper' },
  { file: 'src/sandbox/mine.ts', code: use('../crds/names.ts'), tag: 'sandbox/no-upper' },
  { file: 'src/sandbox/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig'), tag: 'layer/kube' },
  { file: 'src/sandbox/mine.ts', code: use('../../test/support/kube.ts'), tag: 'layer/test' },
  // crds: only zod, yaml, its own files and connector config atoms
  { file: 'src/crds/mine.ts', code: use('../sandbox/grant.ts'), tag: 'crds/pure' },
  { file: 'src/crds/mine.ts', code: use('../connectors/aws-acm/config.ts'), tag: 'crds/pure' },
  { file: 'src/crds/mine.ts', code: use('node:fs', 'readFileSync'), tag: 'crds/pure' },
  { file: 'src/crds/mine.ts', code: use('pino'), tag: 'crds/pure' },
  { file: 'src/crds/generate.ts', code: use('../controller/config.ts'), tag: 'crds/generator' },
  // core: the bottom layer
  { file: 'src/core/mine.ts', code: use('../sandbox/index.ts'), tag: 'core/bottom' },
  { file: 'src/core/mine.ts', code: use('../controller/reasons.ts'), tag: 'core/bottom' },
  { file: 'src/core/mine.ts', code: use('../connectors/sdk/index.ts'), tag: 'core/bottom' },
  { file: 'src/core/mine.ts', code: use('../crds/names.ts'), tag: 'core/bottom' },
  { file: 'src/core/mine.ts', code: use('node:dns', 'lookup'), tag: 'layer/io' },
  { file: 'src/core/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig'), tag: 'layer/kube' },
  { file: 'src/core/mine.ts', code: use('../../test/support/kube.ts'), tag: 'layer/test' },
  // controller: I/O only in the named exceptions; never test
  { file: 'src/controller/mine.ts', code: use('node:http', 'createServer'), tag: 'layer/io' },
  { file: 'src/controller/runtime/mine.ts', code: use('undici', 'fetch'), tag: 'layer/io' },
  { file: 'src/controller/mine.ts', code: use('node:tls', 'connect'), tag: 'layer/io' },
  { file: 'src/controller/mine.ts', code: use('../../test/support/controller-harness.ts'), tag: 'layer/test' },
  { file: 'src/controller/http-server.ts', code: use('../../test/support/kube.ts'), tag: 'layer/test' },
  { file: 'src/main.ts', code: use('../test/support/kube.ts'), tag: 'layer/test' },
  // a new top-level folder under src gets the strict default
  { file: 'src/newlayer/mine.ts', code: use('node:http2', 'connect'), tag: 'layer/io' },
  { file: 'src/newlayer/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig'), tag: 'layer/kube' },
  // hack: dev tooling, never test code
  { file: 'hack/local-cluster/mine.ts', code: use('../../test/support/certs/index.ts'), tag: 'layer/test' },
  { file: 'hack/mine.ts', code: use('../test/support/controller-harness.ts'), tag: 'layer/test' },
];

export const cleanImports: readonly LayerCase[] = [
  { file: 'src/connectors/mine/mine.ts', code: use('../sdk/index.ts', 'terminal') },
  { file: 'src/connectors/mine/mine.ts', code: use('./config.ts', 'mineConfig') },
  { file: 'src/connectors/mine/mine.ts', code: use('zod', 'z') },
  { file: 'src/connectors/mine/mine.ts', code: use('node:crypto', 'createHash') },
  { file: 'src/connectors/mine/mine-sandbox-client.ts', code: use('./sandbox-http-client.ts') },
  { file: 'src/connectors/sdk/mine.ts', code: use('../../sandbox/index.ts', 'isDenied') },
  { file: 'src/connectors/sdk/mine.ts', code: use('./connector.ts') },
  { file: 'src/sandbox/host/mine.ts', code: use('node:fs/promises', 'open') },
  { file: 'src/sandbox/net/mine.ts', code: use('undici', 'Agent') },
  { file: 'src/sandbox/host/mine.ts', code: use('ssh2', 'Client') },
  { file: 'src/crds/mine.ts', code: use('zod', 'z') },
  { file: 'src/crds/mine.ts', code: use('./names.ts', 'GROUP') },
  { file: 'src/crds/mine.ts', code: use('../connectors/sdk/host-config.ts', 'hostPort') },
  { file: 'src/crds/mine.ts', code: use('../core/conditions.ts', 'Condition') },
  { file: 'src/crds/generate.ts', code: use('../connectors/registry.ts', 'connectorBlocks') },
  { file: 'src/crds/generate.ts', code: use('node:fs/promises', 'writeFile') },
  { file: 'src/core/mine.ts', code: use('./errors.ts') },
  { file: 'src/controller/mine.ts', code: use('@kubernetes/client-node', 'KubeConfig') },
  { file: 'src/controller/mine.ts', code: use('../connectors/registry.ts', 'connectors') },
  { file: 'src/controller/mine.ts', code: use('../sandbox/index.ts', 'createSandbox') },
  { file: 'src/controller/runtime/kube-transport.ts', code: use('undici', 'fetch') },
  { file: 'src/controller/http-server.ts', code: use('node:http', 'createServer') },
  { file: 'hack/local-cluster/mine.ts', code: use('node:child_process', 'spawn') },
  { file: 'hack/mine.ts', code: use('../src/crds/names.ts', 'GROUP') },
  { file: 'test/unit/mine.test.ts', code: use('../../hack/local-cluster/index.ts', 'mintChain') },
];
