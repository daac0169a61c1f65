/**
 * Plan mode for HAProxy: what `deploy` would do, read-only. The file's bytes are read as deploy
 * reads them. What the running HAProxy serves is asked over the Runtime API socket, a `send`,
 * which the plan sandbox refuses by construction (a socket write cannot be told apart from a
 * change); so when the file is already current, whether the runtime is behind is reported as
 * unpredictable rather than guessed.
 */
import type { Deployment, PlanAction, PlanResult, Sandbox } from '@cert-deployer/connector-sdk';
import { parseMode, planResult, toCombinedPem } from '@cert-deployer/connector-sdk';
import type { HaproxyConfig } from './config.ts';

/** Pure: the load step's actions (hot update commands, or config test and reload). */
export function loadActions(config: HaproxyConfig): PlanAction[] {
  const path = config.certificatePath;
  if (config.runtimeApi) {
    const address = `unix:${config.runtimeApi.socketPath}`;
    return [{ kind: 'send', address, what: `set ssl cert ${path}` }, { kind: 'send', address, what: `commit ssl cert ${path}` }];
  }
  if (!config.reload) return [];
  return [{ kind: 'exec', argv: [...config.reload.configTest] }, { kind: 'exec', argv: [...config.reload.reload] }];
}

function sameBytes(a: Uint8Array, text: string): boolean {
  const b = new TextEncoder().encode(text);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Reads the combined PEM file and predicts the deploy. */
export async function planHaproxy(config: HaproxyConfig, signal: AbortSignal, sandbox: Sandbox, dep: Deployment): Promise<PlanResult> {
  signal.throwIfAborted();
  const path = config.certificatePath;
  const combined = toCombinedPem(dep, { includeRoot: config.includeRoot });
  const current = await sandbox.readFile(path, { signal });
  const fileCurrent = current !== null && sameBytes(current, combined.reveal());
  if (fileCurrent && !config.runtimeApi) return planResult([], `${path} already holds this certificate`);
  if (fileCurrent) {
    return planResult([{ kind: 'unpredictable', what: `whether HAProxy serves ${path}`, why: 'the Runtime API is asked over a socket send, which plan mode refuses; deploy hot-updates only if it is behind' }]);
  }
  return planResult([{ kind: 'writeFile', path, material: 'combined', mode: parseMode(config.mode, true) }, ...loadActions(config)]);
}
