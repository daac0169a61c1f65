/**
 * The conformance harness's worker mode. `inWorker(definition, factory)` turns a connector test
 * file's factory into one whose connectors run in confined workers: the factory still builds
 * its connector through `definition.create(config)` (so the config under test is the real,
 * validated one), and the connector `create` returns runs every deploy, undeploy and inspect in a
 * worker of the shared runtime, with the harness's (checked, counting) sandbox served by this
 * process. Wrappers a factory puts around the connector (a DeployContext with secrets) keep
 * working: they wrap the worker-backed connector.
 */
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { Connector, ConnectorDefinition, InspectContext } from '@cert-deployer/connector-sdk';
import type { ConnectorFactory } from '@cert-deployer/connector-sdk/conformance';
import { WorkerConnectorRuntime, type WorkerRuntimeOptions } from '../../src/connector-worker/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** The resolve hook that maps the SDK package name to this tree's source (as the operator run from source has it). */
export const SDK_HOOK = join(ROOT, 'hack', 'sdk-from-source.ts');

/** A worker runtime for tests: resolves the SDK from source; closed after the file's tests. */
export function testWorkerRuntime(opts: WorkerRuntimeOptions = {}): WorkerConnectorRuntime {
  const runtime = new WorkerConnectorRuntime({ preload: [SDK_HOOK], ...opts });
  runtime.start();
  afterAll(() => runtime.close());
  return runtime;
}

/** A connector whose deploy and undeploy run in `runtime`'s workers; capabilities come from `local`. */
export function workerConnector(runtime: WorkerConnectorRuntime, name: string, config: unknown, local: Connector, affinity = 'conformance'): Connector {
  const call = (signal: AbortSignal, sandbox: Parameters<Connector['deploy']>[1], context: Parameters<Connector['deploy']>[3]) =>
    ({ affinity, connectorName: name, config, connector: local, sandbox, context, signal });
  return {
    name: local.name,
    capabilities: () => local.capabilities(),
    deploy: (signal, sandbox, deployment, context) => runtime.deploy(call(signal, sandbox, context), deployment),
    ...(local.plan ? { plan: (signal: AbortSignal, sandbox: Parameters<Connector['deploy']>[1], deployment: Parameters<Connector['deploy']>[2], context: Parameters<Connector['deploy']>[3]) => runtime.plan(call(signal, sandbox, context), deployment) } : {}),
    ...(local.undeploy ? { undeploy: (signal: AbortSignal, sandbox: Parameters<Connector['deploy']>[1], context: Parameters<Connector['deploy']>[3]) => runtime.undeploy(call(signal, sandbox, context)) } : {}),
    ...(local.inspect ? { inspect: (signal: AbortSignal, sandbox: Parameters<Connector['deploy']>[1], context: InspectContext) => runtime.inspect(call(signal, sandbox, context), context.fingerprint) } : {}),
  };
}

/** `factory`, with every connector it creates through `definition.create` running in a worker. */
export function inWorker<C>(runtime: WorkerConnectorRuntime, definition: ConnectorDefinition<unknown>, factory: ConnectorFactory<C>): ConnectorFactory<C> {
  return (ctx) => {
    const original = definition.create;
    let created = 0;
    const mutable = definition as { create: ConnectorDefinition<unknown>['create'] };
    mutable.create = (config) => {
      created++;
      return workerConnector(runtime, definition.name, config, original.call(definition, config));
    };
    try {
      const connector = factory(ctx);
      if (created !== 1) throw new Error(`worker mode: the factory must create exactly one ${definition.name} connector through definition.create(config); it created ${created}`);
      return connector;
    } finally {
      mutable.create = original;
    }
  };
}
