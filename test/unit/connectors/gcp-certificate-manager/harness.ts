/**
 * Shared setup of the gcpCertificateManager unit tests: a fake API per test file, a service
 * account registered with it, and `run()` that deploys (or undeploys) through a real checked
 * sandbox on the local host, the way the controller does, counting what the connector asked.
 */
import { SecretValue } from '../../../../packages/connector-sdk/src/deployment.ts';
import type { DeployContext, DeployResult } from '../../../../packages/connector-sdk/src/connector.ts';
import type { Deployment } from '../../../../packages/connector-sdk/src/deployment.ts';
import { gcpCertificateManagerConnector } from '../../../../src/connectors/gcp-certificate-manager/index.ts';
import { createGcpCertificateManagerConnector, type GcpConnectorDeps } from '../../../../src/connectors/gcp-certificate-manager/gcp-certificate-manager-connector.ts';
import { createSandbox } from '../../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import type { Grant } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { CountingSandbox } from '../../../../packages/connector-sdk/src/conformance/counting-sandbox.ts';
import type { GcpFake } from '../../../support/gcp-fake/index.ts';

export const PROJECT = 'fake-project';
export const SA_EMAIL = 'deployer@fake-project.iam.gserviceaccount.com';
export const FAST_POLL = { initialMs: 2, multiplier: 2, maxMs: 20 };
export const OWNER = 'uid-1234/web';

export const nameOf = (id: string, location = 'global'): string => `projects/${PROJECT}/locations/${location}/certificates/${id}`;

/** A block for `certificateId` on `fake`, authenticating with the service account key. */
export function saBlock(fake: GcpFake, certificateId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { project: PROJECT, certificateId, endpoint: fake.apiUrl, tokenUrl: fake.tokenUrl, credentialsRef: { name: 'gcp-key' }, ...extra };
}

/** A block for `certificateId` on `fake`, authenticating with workload identity. */
export function wiBlock(fake: GcpFake, certificateId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { project: PROJECT, certificateId, endpoint: fake.apiUrl, metadataServerUrl: fake.metadataUrl, ...extra };
}

export const secretsWith = (keyJson: string): DeployContext['secrets'] => new Map([['gcp-key', { 'key.json': new SecretValue(keyJson) }]]);

export interface RunOptions {
  readonly ctx?: Partial<DeployContext>;
  readonly signal?: AbortSignal;
  readonly grant?: Grant;
  readonly deps?: Partial<GcpConnectorDeps>;
}

export type RunOutcome =
  | { readonly ok: true; readonly result: DeployResult | undefined; readonly sandbox: CountingSandbox }
  | { readonly ok: false; readonly error: unknown; readonly sandbox: CountingSandbox };

const host = new LocalHost();

/** Deploys `dep` (or undeploys, when `dep` is null) with a new connector for `block`. */
export async function run(block: Record<string, unknown>, dep: Deployment | null, opts: RunOptions = {}): Promise<RunOutcome> {
  const config = gcpCertificateManagerConnector.configSchema.parse(block);
  const connector = createGcpCertificateManagerConnector(config, { poll: FAST_POLL, ...opts.deps });
  const checked = createSandbox({ grant: opts.grant ?? connector.capabilities(), host });
  const sandbox = new CountingSandbox(checked);
  const ctx: DeployContext = { ownerId: OWNER, ...opts.ctx };
  const signal = opts.signal ?? new AbortController().signal;
  try {
    const result = dep === null ? (await connector.undeploy!(signal, sandbox, ctx), undefined) : await connector.deploy(signal, sandbox, dep, ctx);
    return { ok: true, result, sandbox };
  } catch (error) {
    return { ok: false, error, sandbox };
  } finally {
    await checked.close();
  }
}

/** The error of a failed run, or a test failure when it succeeded. */
export function errorOf(o: RunOutcome): { code?: unknown; retryable?: unknown; message: string } {
  if (o.ok) throw new Error(`expected the run to fail, it returned ${JSON.stringify(o.result)}`);
  return o.error as { code?: unknown; retryable?: unknown; message: string };
}

/** The result of a successful run, or a test failure with the error. */
export function resultOf(o: RunOutcome): DeployResult | undefined {
  if (!o.ok) throw new Error(`expected the run to succeed: ${(o.error as Error)?.message ?? String(o.error)}`, { cause: o.error });
  return o.result;
}
