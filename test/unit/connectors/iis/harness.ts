/**
 * Drives the iis connector against a WinRM fake the way the controller does: the block
 * through the real schema, a checked sandbox with exactly the declared grant on a LocalHost,
 * the credentials Secret as SecretValue wrappers, a counting decorator to see what it asked.
 */
import { iisConnector } from '../../../../src/connectors/iis/index.ts';
import type { DeployResult } from '../../../../packages/connector-sdk/src/connector.ts';
import type { Deployment } from '../../../../packages/connector-sdk/src/deployment.ts';
import { createSandbox } from '../../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import { LocalHost } from '../../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { CountingSandbox } from '../../../../packages/connector-sdk/src/conformance/counting-sandbox.ts';
import { credentialsOf, IIS_CREDENTIALS_SECRET } from '../../../conformance/fixtures/iis-fixture.ts';
import type { WinrmFake } from '../../../support/winrm-fake/index.ts';

export interface RunOptions {
  /** Fields of the iis block to add or override. */
  readonly block?: Record<string, unknown>;
  readonly signal?: AbortSignal;
  readonly ownerId?: string;
  /** Replaces the credentials Secret map (e.g. empty, or a wrong password). */
  readonly secrets?: ReturnType<typeof credentialsOf>;
}

export type Outcome =
  | { readonly ok: true; readonly result: DeployResult; readonly sandbox: CountingSandbox }
  | { readonly ok: false; readonly error: unknown; readonly sandbox: CountingSandbox };

const localHost = new LocalHost();

/** The iis block for `fake` and `siteName`, plus overrides. */
export function blockFor(fake: WinrmFake, siteName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { address: fake.address, credentialsRef: { name: IIS_CREDENTIALS_SECRET }, caBundle: fake.caPem, siteName, ...extra };
}

async function withConnector<T>(fake: WinrmFake, siteName: string, opts: RunOptions, run: (c: ReturnType<typeof iisConnector.create>, s: CountingSandbox, ctx: Parameters<ReturnType<typeof iisConnector.create>['deploy']>[3]) => Promise<T>): Promise<{ value: T; sandbox: CountingSandbox }> {
  const connector = iisConnector.create(iisConnector.configSchema.parse(blockFor(fake, siteName, opts.block)));
  const checked = createSandbox({ grant: connector.capabilities(), host: localHost });
  const sandbox = new CountingSandbox(checked);
  try {
    const ctx = { ownerId: opts.ownerId ?? 'uid-1/iis', secrets: opts.secrets ?? credentialsOf(fake) };
    return { value: await run(connector, sandbox, ctx), sandbox };
  } finally {
    await checked.close();
  }
}

/** One deploy; never throws for a failed deploy. */
export async function deploy(fake: WinrmFake, siteName: string, dep: Deployment, opts: RunOptions = {}): Promise<Outcome> {
  let sandbox: CountingSandbox | undefined;
  try {
    const r = await withConnector(fake, siteName, opts, (c, s, ctx) => {
      sandbox = s;
      return c.deploy(opts.signal ?? new AbortController().signal, s, dep, ctx);
    });
    return { ok: true, result: r.value, sandbox: r.sandbox };
  } catch (error) {
    return { ok: false, error, sandbox: sandbox as CountingSandbox };
  }
}

/** One deploy that must succeed. */
export async function mustDeploy(fake: WinrmFake, siteName: string, dep: Deployment, opts: RunOptions = {}): Promise<DeployResult & { sandbox: CountingSandbox }> {
  const o = await deploy(fake, siteName, dep, opts);
  if (!o.ok) throw new Error(`deploy failed: ${o.error instanceof Error ? o.error.message : String(o.error)}`, { cause: o.error });
  return { ...o.result, sandbox: o.sandbox };
}

/** One undeploy. */
export async function undeploy(fake: WinrmFake, siteName: string, opts: RunOptions = {}): Promise<void> {
  await withConnector(fake, siteName, opts, (c, s, ctx) => (c.undeploy as NonNullable<typeof c.undeploy>)(new AbortController().signal, s, ctx));
}

/** The message of a thrown value, for assertions. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
