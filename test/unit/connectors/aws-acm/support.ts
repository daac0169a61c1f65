/**
 * Shared pieces of the awsAcm tests: the connector built through its real schema, and the
 * controller's part of the DeployContext (the credentials Secret it reads and passes in
 * `ctx.secrets`), which the conformance harness does not supply by itself.
 */
import { awsAcmConnector } from '../../../../src/connectors/aws-acm/index.ts';
import type { Connector, DeployContext, DeployResult } from '../../../../packages/connector-sdk/src/connector.ts';
import type { InspectContext } from '../../../../packages/connector-sdk/src/inspect.ts';
import { SecretValue, type Deployment } from '../../../../packages/connector-sdk/src/deployment.ts';
import { createSandbox } from '../../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import type { Grant } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import type { Sandbox } from '../../../../packages/connector-sdk/src/sandbox/sandbox.ts';
import { TEST_ACCESS_KEY } from '../../../support/moto/index.ts';

export const CREDENTIALS_SECRET = 'aws-credentials';

/** `ctx.secrets` as the controller builds it from the credentials Secret. */
export function credentialSecrets(values: Record<string, string> = {
  aws_access_key_id: TEST_ACCESS_KEY.accessKeyId,
  aws_secret_access_key: TEST_ACCESS_KEY.secretAccessKey,
}): ReadonlyMap<string, Record<string, SecretValue>> {
  return new Map([[CREDENTIALS_SECRET, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, new SecretValue(v)]))]]);
}

/** The awsAcm block for a moto endpoint, parsed by the real schema. */
export function acmConnector(endpoint: string, extra: Record<string, unknown> = {}, region = 'us-east-1'): Connector {
  return awsAcmConnector.create(awsAcmConnector.configSchema.parse({ region, endpoint, credentialsRef: { name: CREDENTIALS_SECRET }, ...extra }));
}

/** Adds what the controller adds to every DeployContext: the referenced Secrets. */
export function withControllerContext(connector: Connector, extra: Partial<DeployContext> = {}): Connector {
  const ctxOf = (ctx: DeployContext): DeployContext => ({ secrets: credentialSecrets(), ...ctx, ...extra });
  return {
    name: connector.name,
    capabilities: () => connector.capabilities(),
    deploy: (signal, sandbox, dep, ctx) => connector.deploy(signal, sandbox, dep, ctxOf(ctx)),
    ...(connector.inspect ? { inspect: (signal: AbortSignal, sandbox: Sandbox, ctx: InspectContext) => connector.inspect!(signal, sandbox, { ...ctx, ...ctxOf(ctx) }) } : {}),
    ...(connector.undeploy ? { undeploy: (signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext) => connector.undeploy!(signal, sandbox, ctxOf(ctx)) } : {}),
    ...(connector.plan ? { plan: (signal: AbortSignal, sandbox: Sandbox, dep: Deployment, ctx: DeployContext) => connector.plan!(signal, sandbox, dep, ctxOf(ctx)) } : {}),
  };
}

const host = new LocalHost();

/** Runs `fn` with a checked sandbox enforcing `grant` on the local host, closed afterwards. */
export async function withSandbox<T>(grant: Grant, fn: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = createSandbox({ grant, host });
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

/** ACM operations that change something; every other operation only reads. */
export const MUTATING_OPERATIONS: ReadonlySet<string> = new Set([
  'ImportCertificate', 'AddTagsToCertificate', 'RemoveTagsFromCertificate', 'DeleteCertificate', 'RequestCertificate',
  'RenewCertificate', 'ResendValidationEmail', 'UpdateCertificateOptions', 'PutAccountConfiguration', 'RevokeCertificate',
]);

/** A sandbox that records the ACM operation (from `X-Amz-Target`) of every request it forwards. */
export function recordOperations(inner: Sandbox): { readonly sandbox: Sandbox; readonly operations: string[] } {
  const operations: string[] = [];
  const sandbox: Sandbox = {
    get grant() {
      return inner.grant;
    },
    readFile: (p, o) => inner.readFile(p, o),
    writeFile: (p, d, o) => inner.writeFile(p, d, o),
    restoreFile: (w, o) => inner.restoreFile(w, o),
    writeFileSet: (f, o) => inner.writeFileSet(f, o),
    restoreFileSet: (w, o) => inner.restoreFileSet(w, o),
    exec: (a, o) => inner.exec(a, o),
    send: (a, d, o) => inner.send(a, d, o),
    tlsProbe: (o) => inner.tlsProbe(o),
    request(req) {
      const target = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1] ?? `${req.method ?? 'GET'} ${req.url}`;
      operations.push(target.replace(/^CertificateManager\./, ''));
      return inner.request(req);
    },
  };
  return { sandbox, operations };
}

export type Outcome = { ok: true; result: DeployResult; operations: string[] } | { ok: false; error: unknown; operations: string[] };

/** One deploy through a checked sandbox (default grant: the connector's own), outcome captured. */
export async function deployOnce(connector: Connector, dep: Deployment, ctx: DeployContext, opts: { grant?: Grant; signal?: AbortSignal } = {}): Promise<Outcome> {
  return withSandbox(opts.grant ?? connector.capabilities(), async (checked) => {
    const { sandbox, operations } = recordOperations(checked);
    try {
      return { ok: true, result: await connector.deploy(opts.signal ?? new AbortController().signal, sandbox, dep, ctx), operations };
    } catch (error) {
      return { ok: false, error, operations };
    }
  });
}

/** One undeploy through a checked sandbox, outcome captured. */
export async function undeployOnce(connector: Connector, ctx: DeployContext): Promise<{ ok: boolean; error?: unknown; operations: string[] }> {
  return withSandbox(connector.capabilities(), async (checked) => {
    const { sandbox, operations } = recordOperations(checked);
    try {
      await connector.undeploy?.(new AbortController().signal, sandbox, ctx);
      return { ok: true, operations };
    } catch (error) {
      return { ok: false, error, operations };
    }
  });
}

/** The mutating operations in a recorded list. */
export const mutations = (operations: readonly string[]): string[] => operations.filter((o) => MUTATING_OPERATIONS.has(o));
