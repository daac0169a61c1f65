/**
 * The entry of a connector worker process (started by the pool with Node's permission model).
 * It loads the registry of connectors — the in-tree one, or the module named by the first
 * argument (tests load hostile connectors that way) — and serves calls: decode, create the
 * connector from its validated config, run deploy, undeploy or inspect against the proxied Sandbox,
 * encode the result. The grant is not checked here: the parent checks every Sandbox request.
 */
import type { ConnectorDefinition } from '@cert-deployer/connector-sdk';
import { serveCalls } from '../sandbox/worker/child-endpoint.ts';
import { decodeCall } from './call-codec.ts';

type Registry = ReadonlyMap<string, ConnectorDefinition<unknown>>;

const registryModule = process.argv[2];
if (registryModule === undefined) throw new Error('connector worker: the registry module is the first argument');
const { connectorsByName } = (await import(registryModule)) as { connectorsByName: Registry };

serveCalls(async (payload, sandbox, signal) => {
  const call = decodeCall(payload);
  const definition = connectorsByName.get(call.connector);
  if (definition === undefined) throw new Error(`connector worker: no registered connector ${JSON.stringify(call.connector)}`);
  const connector = definition.create(call.config);
  if (call.op === 'deploy') {
    if (call.deployment === undefined) throw new Error('connector worker: a deploy call without a deployment');
    const r = await connector.deploy(signal, sandbox, call.deployment, call.context);
    return { changed: r.changed, ...(r.remoteId !== undefined ? { remoteId: r.remoteId } : {}), ...(r.message !== undefined ? { message: r.message } : {}) };
  }
  if (call.op === 'inspect') {
    if (connector.inspect === undefined || call.fingerprint === undefined) throw new Error('connector worker: an inspect call for a connector without inspect, or without a fingerprint');
    const r = await connector.inspect(signal, sandbox, { ...call.context, fingerprint: call.fingerprint });
    return {
      active: r.active === null ? null : { fingerprint: r.active.fingerprint, ...(r.active.notAfter !== undefined ? { notAfter: r.active.notAfter } : {}) },
      ...(r.expectedInstalled !== undefined ? { expectedInstalled: r.expectedInstalled } : {}),
      ...(r.message !== undefined ? { message: r.message } : {}),
    };
  }
  if (call.op === 'plan') {
    if (call.deployment === undefined || connector.plan === undefined) throw new Error('connector worker: a plan call without a deployment, or for a connector without plan');
    const p = await connector.plan(signal, sandbox, call.deployment, call.context);
    return { actions: p.actions, summary: p.summary };
  }
  await connector.undeploy?.(signal, sandbox, call.context);
  return null;
});
