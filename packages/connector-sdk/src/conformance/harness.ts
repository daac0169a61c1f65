/**
 * What every case does around a deploy, the way the controller does it: a NEW connector from
 * the factory for each deploy (idempotency must come from the target, not from memory), a
 * checked sandbox on the target's host, a counting decorator around it, and the outcome
 * captured rather than thrown so a case can assert on errors.
 */
import type { DeployResult } from '../connector.ts';
import type { InspectResult } from '../inspect.ts';
import { readOnlySandbox } from '../sandbox/read-only-sandbox.ts';
import type { Deployment } from '../deployment.ts';
import { createSandbox } from '../sandbox/checked-sandbox.ts';
import type { Grant } from '../sandbox/grant.ts';
import type { Host } from '../sandbox/host/host.ts';
import { CountingSandbox, type CountingHooks } from './counting-sandbox.ts';
import type { ConformanceFixture, ConformanceTarget, ConnectorFactory, ReloadMode } from './types.ts';

/** What a case gets: the connector factory and the fixture. */
export interface CaseEnv<C> {
  readonly factory: ConnectorFactory<C>;
  readonly fixture: ConformanceFixture<C>;
}

export type Outcome =
  | { readonly ok: true; readonly result: DeployResult; readonly sandbox: CountingSandbox }
  | { readonly ok: false; readonly error: unknown; readonly sandbox: CountingSandbox };

export interface DeployOptions extends CountingHooks {
  /** The grant the sandbox enforces; default the connector's own `capabilities()`. */
  readonly grant?: Grant;
  readonly signal?: AbortSignal;
  /** Another host than the target's (an unreachable one). */
  readonly host?: Host;
}

/** Deploys `dep` to `target` once and captures the outcome. Never throws for a failed deploy. */
export async function deployTo<C>(env: CaseEnv<C>, target: ConformanceTarget<C>, dep: Deployment, opts: DeployOptions = {}): Promise<Outcome> {
  const connector = env.factory(target.context);
  const checked = createSandbox({ grant: opts.grant ?? connector.capabilities(), host: opts.host ?? target.host });
  const sandbox = new CountingSandbox(checked, opts);
  const ctx = { ownerId: 'conformance/target' };
  try {
    const result = await connector.deploy(opts.signal ?? new AbortController().signal, sandbox, dep, ctx);
    return { ok: true, result, sandbox };
  } catch (error) {
    return { ok: false, error, sandbox };
  } finally {
    await checked.close();
  }
}

/** Deploys and fails the test with the connector's own error when the deploy did not succeed. */
export async function mustDeploy<C>(env: CaseEnv<C>, target: ConformanceTarget<C>, dep: Deployment, opts: DeployOptions = {}): Promise<DeployResult & { sandbox: CountingSandbox }> {
  const o = await deployTo(env, target, dep, opts);
  if (!o.ok) throw new Error(`deploy was expected to succeed but failed: ${describeError(o.error)}`, { cause: o.error });
  return { ...o.result, sandbox: o.sandbox };
}

/**
 * Runs a new connector's `inspect` on `target` as the operator does: the checked sandbox on the
 * declared grant, wrapped read-only. `deniedAttempts` counts the changes it tried (and was refused).
 */
export async function inspectOn<C>(env: CaseEnv<C>, target: ConformanceTarget<C>, fingerprint: string): Promise<{ result: InspectResult; deniedAttempts: number }> {
  const connector = env.factory(target.context);
  if (connector.inspect === undefined) throw new Error('the connector has no inspect');
  const checked = createSandbox({ grant: connector.capabilities(), host: target.host });
  const ro = readOnlySandbox(checked);
  try {
    const result = await connector.inspect(new AbortController().signal, ro, { ownerId: 'conformance/target', fingerprint });
    return { result, deniedAttempts: ro.deniedAttempts };
  } finally {
    await checked.close();
  }
}

/** Runs `fn` on a fresh target and disposes of it afterwards. */
export async function withTarget<C, T>(env: CaseEnv<C>, fn: (target: ConformanceTarget<C>) => Promise<T>): Promise<T> {
  const target = await env.fixture.newTarget();
  try {
    return await fn(target);
  } finally {
    await target.dispose();
  }
}

/** The target's reload switch, or a failure telling the author to opt out with a reason. */
export function reloadSwitch<C>(target: ConformanceTarget<C>, caseName: string): (mode: ReloadMode) => Promise<void> {
  const set = target.setReload?.bind(target);
  if (set === undefined) throw new Error(`the fixture's targets cannot control the reload; opt out of '${caseName}' with a reason`);
  return set;
}

/** One line about an error, for assertion messages (name, code, message). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${err.message}`;
  }
  return `non-Error thrown: ${String(err)}`;
}
