/**
 * The `iis` connector: over one WinRM shell, read the host's sites, https bindings and
 * LocalMachine\My; if the site's bindings already use the certificate's SHA-1 thumbprint,
 * stop (zero mutating commands). Otherwise send a password-protected PFX in chunks, import
 * it, point each binding at the thumbprint, and remove this target's own older certificates
 * that no binding uses any more. Any failure after the first change undoes what was done
 * (bindings back to their previous thumbprints, created bindings removed, a newly imported
 * certificate removed) before the error leaves, so a replay never finds a half deployment
 * and mistakes it for done.
 *
 * Ownership: imported certificates carry the friendly name `cert-deployer <ownerId>`; only
 * certificates with this target's tag are ever removed. remoteId is the thumbprint.
 */
import { randomBytes } from 'node:crypto';
import { CertDeployerError, clockOf, type Clock, withTimeout, type Grant, type Sandbox, type Connector, type DeployContext, type DeployResult, retryable, terminal, type Deployment, thumbprintSha1, toPkcs12, planRead, planResult, type PlanAction, type PlanResult } from '@cert-deployer/connector-sdk';
import type { IisConfig } from './config.ts';
import { hostState, isNoop, ownerTag, planDeploy, PlanError, unusedOwned, type DeployPlan, type HostState } from './plan.ts';
import { errorText, POWERSHELL } from './powershell.ts';
import {
  cleanupScript, createBindingScript, importScript, queryScript, removeBindingScript, removeCertificateScript, transferScripts,
  updateBindingScript, type Script,
} from './scripts.ts';
import { WinRmShell, type WinRmEndpoint } from './winrm-shell.ts';

/** Each undo script gets this long, on a signal of its own: a cancel must not stop the undo. */
const UNDO_TIMEOUT_MS = 120_000;

/** The Basic credentials from the referenced Secret (read by the controller, passed in ctx). */
function endpointOf(config: IisConfig, ctx: DeployContext): WinRmEndpoint {
  const name = config.credentialsRef.name;
  const secret = ctx.secrets?.get(name);
  const username = secret?.username?.reveal() ?? '';
  const password = secret?.password?.reveal() ?? '';
  if (username === '' || password === '') throw terminal(`Secret ${JSON.stringify(name)} must exist and hold non-empty "username" and "password" keys`);
  return { address: config.address, username, password, ...(config.caBundle === undefined ? {} : { ca: config.caBundle }) };
}

/** Runs `script`; a non-zero exit is terminal, quoting the script's own (redacted) error text. */
async function runScript(shell: WinRmShell, address: string, script: Script, signal: AbortSignal): Promise<string> {
  const r = await shell.run(POWERSHELL, script.args, signal);
  if (r.exitCode !== 0) {
    const why = errorText(r.stderr === '' ? r.stdout : r.stderr, script.secrets);
    throw terminal(`${script.description} failed on ${address} (exit ${r.exitCode}): ${why === '' ? 'no error text' : why}`);
  }
  return r.stdout;
}

async function readHost(shell: WinRmShell, address: string, signal: AbortSignal): Promise<HostState> {
  const out = (await runScript(shell, address, queryScript(), signal)).replace(/^\uFEFF/, '').trim();
  let json: unknown;
  try {
    json = JSON.parse(out);
  } catch {
    throw terminal(`the state read from ${address} is not JSON`);
  }
  const parsed = hostState.safeParse(json);
  if (!parsed.success) throw terminal(`the state read from ${address} has an unexpected shape: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** Runs the undo scripts newest first; returns the descriptions of those that failed. */
async function undo(shell: WinRmShell, address: string, scripts: readonly Script[], clock: Clock): Promise<string[]> {
  const failed: string[] = [];
  for (const s of [...scripts].reverse()) {
    // Its own deadline on the injected clock: the deploy's signal may be what just aborted.
    await withTimeout(clock, UNDO_TIMEOUT_MS, undefined, (own) => runScript(shell, address, s, own), `undo ${s.description}`).catch(() => failed.push(s.description));
  }
  return failed;
}

/** Creates an IIS connector for one target's configuration. */
export function createIisConnector(config: IisConfig): Connector {
  const grant: Grant = Object.freeze({ read: [], write: [], dial: [config.address], exec: [] });
  const address = config.address;

  /** Imports (if needed) and rebinds per `plan`; on any failure undoes what it started. */
  async function apply(shell: WinRmShell, plan: DeployPlan, dep: Deployment, thumbprint: string, tag: string, signal: AbortSignal, clock: Clock): Promise<void> {
    const undoScripts: Script[] = [];
    let tempName: string | undefined;
    try {
      if (plan.importNeeded) {
        tempName = `cert-deployer-${randomBytes(8).toString('hex')}`;
        const password = randomBytes(24).toString('hex');
        const pfx = toPkcs12(dep, { password, friendlyName: tag, encryption: config.pfxEncryption });
        if (!plan.storeHadCertificate) undoScripts.push(removeCertificateScript(thumbprint));
        for (const s of transferScripts(tempName, pfx.revealBase64())) await runScript(shell, address, s, signal);
        await runScript(shell, address, importScript(tempName, thumbprint, password), signal);
        tempName = undefined;
      }
      for (const op of plan.ops) {
        // Registered before it runs: a lost answer or a cancel may leave it applied.
        undoScripts.push(op.kind === 'update' ? updateBindingScript(plan.site, op.bindingInformation, op.previous) : removeBindingScript(plan.site, op.bindingInformation));
        const doIt = op.kind === 'update' ? updateBindingScript(plan.site, op.bindingInformation, thumbprint) : createBindingScript(plan.site, op.binding, thumbprint);
        await runScript(shell, address, doIt, signal);
      }
    } catch (err) {
      const failed = await undo(shell, address, undoScripts, clock);
      if (tempName !== undefined) await undo(shell, address, [cleanupScript(tempName)], clock);
      if (failed.length === 0) throw err;
      const message = `${err instanceof Error ? err.message : String(err)}; undoing it also failed (${failed.join('; ')}): the host may hold a partial deployment until the next attempt`;
      throw err instanceof CertDeployerError && err.retryable ? retryable(message) : terminal(message);
    }
  }

  return {
    name: 'iis',
    capabilities: () => grant,
    async deploy(signal: AbortSignal, sandbox: Sandbox, dep: Deployment, ctx: DeployContext): Promise<DeployResult> {
      signal.throwIfAborted();
      if (dep.keyAlgorithm === 'ed25519') throw terminal('IIS cannot use an Ed25519 key (Windows CNG does not support Ed25519); issue an RSA or ECDSA certificate');
      const endpoint = endpointOf(config, ctx);
      const thumbprint = thumbprintSha1(dep);
      const tag = ownerTag(ctx.ownerId);
      const shell = await WinRmShell.open(sandbox, endpoint, signal);
      try {
        const state = await readHost(shell, address, signal);
        let plan: DeployPlan;
        try {
          plan = planDeploy(state, config, thumbprint, tag);
        } catch (err) {
          if (err instanceof PlanError) throw terminal(err.message);
          throw err;
        }
        const where = `site ${JSON.stringify(plan.site)}`;
        if (isNoop(plan)) return { changed: false, remoteId: thumbprint, message: `${where} already uses certificate ${thumbprint}` };
        await apply(shell, plan, dep, thumbprint, tag, signal, clockOf(ctx));
        const kept: string[] = [];
        for (const old of plan.removals) {
          if (signal.aborted) kept.push(old);
          else await runScript(shell, address, removeCertificateScript(old), signal).catch(() => kept.push(old));
        }
        const parts = [
          plan.importNeeded ? `imported certificate ${thumbprint}` : `certificate ${thumbprint} was already in LocalMachine\\My`,
          `${plan.ops.length} https binding(s) of ${where} now use it`,
          ...(plan.removals.length > kept.length ? [`removed ${plan.removals.length - kept.length} unused older certificate(s)`] : []),
          ...(kept.length > 0 ? [`could not remove ${kept.join(', ')} yet (the next deploy retries)`] : []),
        ];
        return { changed: true, remoteId: thumbprint, message: parts.join('; ') };
      } finally {
        await shell.close();
      }
    },
    /**
     * Plan mode. WS-Management carries every call, reads included, as a POST (even opening the
     * shell), so a plan sandbox that trusts only GET refuses the first one and the whole plan is
     * reported as unpredictable. Given a sandbox that lets the reads through, the plan is deploy's
     * own pure decision (`planDeploy`) turned into actions.
     */
    async plan(signal: AbortSignal, sandbox: Sandbox, dep: Deployment, ctx: DeployContext): Promise<PlanResult> {
      signal.throwIfAborted();
      const thumbprint = thumbprintSha1(dep);
      const seen = await planRead(async () => {
        const shell = await WinRmShell.open(sandbox, endpointOf(config, ctx), signal);
        try {
          return await readHost(shell, address, signal);
        } finally {
          await shell.close().catch(() => undefined);
        }
      });
      if (!seen.ok) return planResult([{ kind: 'unpredictable', what: `the import of ${thumbprint} and the https bindings of site ${JSON.stringify(config.siteName)}`, why: seen.why }]);
      const plan = planDeploy(seen.value, config, thumbprint, ownerTag(ctx.ownerId));
      if (isNoop(plan)) return planResult([], `site ${JSON.stringify(plan.site)} already uses certificate ${thumbprint}`);
      const actions: PlanAction[] = [
        ...(plan.importNeeded ? [{ kind: 'import' as const, into: 'LocalMachine\\My', resource: thumbprint }] : []),
        ...plan.ops.map((op): PlanAction => ({ kind: 'http', method: 'POST', url: `WinRM ${address}`, resource: `${op.kind} https binding ${op.bindingInformation}` })),
        ...plan.removals.map((t): PlanAction => ({ kind: 'http', method: 'POST', url: `WinRM ${address}`, resource: `remove unused certificate ${t}` })),
      ];
      return planResult(actions);
    },
    async undeploy(signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext): Promise<void> {
      signal.throwIfAborted();
      const shell = await WinRmShell.open(sandbox, endpointOf(config, ctx), signal);
      try {
        const state = await readHost(shell, address, signal);
        // Only this target's own certificates, and only those no binding uses: a bound one stays.
        for (const t of unusedOwned(state, ownerTag(ctx.ownerId), '', '', new Map())) {
          await runScript(shell, address, removeCertificateScript(t), signal);
        }
      } finally {
        await shell.close();
      }
    },
  };
}
