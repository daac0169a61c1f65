/**
 * Shared setup for the azureKeyVault unit tests: build a connector for a block on the fakes,
 * deploy or undeploy through a real checked sandbox (optionally counted), capture failures.
 */
import type { TokenCredential } from '@azure/identity';
import { azureKeyVaultConfig, createAzureKeyVaultConnector } from '../../../../src/connectors/azure-key-vault/index.ts';
import type { Connector, DeployContext, DeployResult } from '../../../../packages/connector-sdk/src/connector.ts';
import { SecretValue, type Deployment } from '../../../../packages/connector-sdk/src/deployment.ts';
import { createSandbox } from '../../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import type { Grant } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { CountingSandbox } from '../../../../packages/connector-sdk/src/conformance/counting-sandbox.ts';
import type { AzureFakes } from '../../../support/azure-key-vault/index.ts';

const host = new LocalHost();
let counter = 0;

/** A fresh certificate name per call, so tests on one shared vault never collide. */
export const uniqueName = (prefix = 'cert'): string => `${prefix}-${process.pid}-${++counter}`;

/** A block on the fakes: static credential unless `credentialsRef`/`authorityHost` are given. */
export function block(fakes: AzureFakes, name: string, extra: Record<string, unknown> = {}) {
  return azureKeyVaultConfig.parse({ vaultUrl: fakes.vault.url, certificateName: name, caBundle: fakes.caPem, disableChallengeResourceVerification: true, ...extra });
}

/** The client-secret Secret as the controller passes it. */
export function spSecrets(fakes: AzureFakes, overrides: Record<string, string> = {}): DeployContext['secrets'] {
  const data = { 'tenant-id': fakes.app.tenantId, 'client-id': fakes.app.clientId, 'client-secret': fakes.app.clientSecret, ...overrides };
  return new Map([['azure-sp', Object.fromEntries(Object.entries(data).map(([k, v]) => [k, new SecretValue(v)]))]]);
}

export function connectorFor(fakes: AzureFakes, name: string, extra: Record<string, unknown> = {}, credential: TokenCredential | null = fakes.staticCredential): Connector {
  return createAzureKeyVaultConnector(block(fakes, name, extra), credential === null ? {} : { credential });
}

export type Outcome = { ok: true; result: DeployResult; sandbox: CountingSandbox } | { ok: false; error: unknown; sandbox: CountingSandbox };

export interface RunOptions {
  readonly ctx?: Partial<DeployContext>;
  readonly grant?: Grant;
  readonly signal?: AbortSignal;
}

/** Deploys through a checked, counted sandbox; never throws for a failed deploy. */
export async function deploy(connector: Connector, dep: Deployment, opts: RunOptions = {}): Promise<Outcome> {
  const checked = createSandbox({ grant: opts.grant ?? connector.capabilities(), host });
  const sandbox = new CountingSandbox(checked);
  try {
    const result = await connector.deploy(opts.signal ?? new AbortController().signal, sandbox, dep, { ownerId: 'uid-1/web', ...opts.ctx });
    return { ok: true, result, sandbox };
  } catch (error) {
    return { ok: false, error, sandbox };
  } finally {
    await checked.close();
  }
}

/** Deploys and throws the connector's own error when it failed. */
export async function mustDeploy(connector: Connector, dep: Deployment, opts: RunOptions = {}): Promise<DeployResult & { sandbox: CountingSandbox }> {
  const o = await deploy(connector, dep, opts);
  if (!o.ok) throw o.error;
  return { ...o.result, sandbox: o.sandbox };
}

/** Undeploys through a checked sandbox. */
export async function undeploy(connector: Connector, opts: RunOptions = {}): Promise<void> {
  const checked = createSandbox({ grant: opts.grant ?? connector.capabilities(), host });
  try {
    await connector.undeploy?.(opts.signal ?? new AbortController().signal, checked, { ownerId: 'uid-1/web', ...opts.ctx });
  } finally {
    await checked.close();
  }
}

/** The error of a failed outcome (fails the test when the deploy succeeded). */
export function errorOf(o: Outcome): { code?: string; retryable?: boolean; message: string; name: string } {
  if (o.ok) throw new Error(`deploy was expected to fail but returned ${JSON.stringify(o.result)}`);
  return o.error as { code?: string; retryable?: boolean; message: string; name: string };
}
