/**
 * A WASM plugin seen as a Connector, so the one target pipeline runs it exactly like an
 * in-tree connector: `capabilities()` is the manifest's grant template applied to the target's
 * validated config (pure, no plugin code), and `deploy` runs the plugin's deploy export against
 * the checked Sandbox the pipeline built from that grant. What the plugin returns is mapped
 * back: a result, the sandbox's own error handed back by reference (a DeniedError stays a
 * DeniedError), or the plugin's own failure as a ConnectorError (redacted like every other).
 */
import { redactSecrets, retryable, terminal, type Connector, type DeployContext, type DeployResult, type Deployment, type Sandbox } from '@cert-deployer/connector-sdk';
import { callPlugin, deployOutput, grantFromTemplate, PLUGIN_ABI, PluginError, type PluginArtifact, type PluginCallResult, type PluginLimits, type PluginPool } from '../../sandbox/wasm/index.ts';

/** The deploy export's input (docs/plugins.md, "ABI"). The key is revealed here, on its way to the target. */
export function deployInput(config: unknown, dep: Deployment, ctx: DeployContext): string {
  return JSON.stringify({
    abi: PLUGIN_ABI,
    config,
    deployment: {
      fingerprint: dep.fingerprint,
      certificatePem: dep.certificatePem,
      chainPem: dep.chainPem,
      privateKeyPem: dep.privateKey.reveal(),
      keyAlgorithm: dep.keyAlgorithm,
      notBefore: dep.notBefore.toISOString(),
      notAfter: dep.notAfter.toISOString(),
      dnsNames: dep.dnsNames,
    },
    context: { ownerId: ctx.ownerId, ...(ctx.remoteId === undefined ? {} : { remoteId: ctx.remoteId }) },
  });
}

/** Pure: what a plugin's output means for the caller — a result, or the error to throw. */
export function interpretOutput(name: string, call: PluginCallResult): { ok: true; result: DeployResult } | { ok: false; error: unknown } {
  const parsed = deployOutput.safeParse(call.output);
  if (!parsed.success) return { ok: false, error: new PluginError(`plugin ${name} returned output the ABI does not allow: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`) };
  const out = parsed.data;
  // A plugin is not trusted like reviewed in-tree code: what it says goes to status and Events
  // only redacted, so a plugin cannot publish the key it was handed.
  if (!('error' in out)) return { ok: true, result: { changed: out.changed, ...(out.message === undefined ? {} : { message: redactSecrets(out.message) }), ...(out.remoteId === undefined ? {} : { remoteId: redactSecrets(out.remoteId) }) } };
  if ('ref' in out.error) {
    const { ref } = out.error;
    return ref < call.state.errors.length ? { ok: false, error: call.state.errors[ref] } : { ok: false, error: new PluginError(`plugin ${name} handed back error ref ${ref}, which no host call of this deploy produced`) };
  }
  const message = `plugin ${name}: ${out.error.message}`;
  return { ok: false, error: out.error.retryable ? retryable(message) : terminal(message) };
}

/**
 * The connector of one plugin target. `config` is the target's plugin config, already validated.
 * With a `pool`, instances come started ahead (still one fresh instance per call).
 */
export function createPluginConnector(artifact: PluginArtifact, config: unknown, limits?: PluginLimits, pool?: PluginPool): Connector {
  const grant = grantFromTemplate(artifact.manifest.grant, config);
  const run = async (fn: string, input: string, sandbox: Sandbox, signal: AbortSignal): Promise<DeployResult> => {
    const r = interpretOutput(artifact.name, await callPlugin(artifact, fn, input, sandbox, signal, limits, pool));
    if (!r.ok) throw r.error;
    return r.result;
  };
  const undeployExport = artifact.manifest.exports.undeploy;
  return {
    name: `plugin:${artifact.name}`,
    capabilities: () => grant,
    deploy: (signal, sandbox, dep, ctx) => run(artifact.manifest.exports.deploy, deployInput(config, dep, ctx), sandbox, signal),
    ...(undeployExport === undefined
      ? {}
      : {
          async undeploy(signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext) {
            const input = JSON.stringify({ abi: PLUGIN_ABI, config, context: { ownerId: ctx.ownerId, ...(ctx.remoteId === undefined ? {} : { remoteId: ctx.remoteId }) } });
            await run(undeployExport, input, sandbox, signal);
          },
        }),
  };
}
