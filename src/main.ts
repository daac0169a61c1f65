#!/usr/bin/env node
/**
 * The `cert-deployer` process: config from flags/env, the controller, /metrics + probes, and
 * a graceful SIGTERM (in-flight deploys finish or are cancelled, the Lease is released, exit
 * within the grace period). Exit codes: 0 clean stop (and --help/--version), 1 runtime
 * failure, 2 bad configuration or no usable kubeconfig (nothing was started).
 */
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { KubeconfigError, loadKubeConnection } from './cli/kubeconfig.ts';
import { renderVersion, versionInfo } from './cli/version.ts';
import { renderHelp } from './controller/cli-help.ts';
import { ConfigError, parseInvocation } from './controller/config.ts';
import { EMPTY_CATALOG, loadPluginDir } from './sandbox/wasm/index.ts';
import { Controller } from './controller/controller.ts';
import { deploymentEvents } from './controller/deployment-events.ts';
import { formatSpan, type DeploySpanSink } from './controller/deploy-spans.ts';
import { startHttpServer } from './controller/http-server.ts';
import { createLogger } from './controller/logger.ts';
import { createMetrics } from './controller/metrics.ts';
import { EventRecorder, eventsV1Sink } from './controller/runtime/event-recorder.ts';
import { inProcessRuntime, type ConnectorRuntime } from './controller/pipeline/connector-runtime.ts';
import { WorkerConnectorRuntime } from './connector-worker/index.ts';

async function main(): Promise<number> {
  const invocation = parseInvocation(process.argv.slice(2), process.env, `${hostname()}-${randomBytes(3).toString('hex')}`);
  const version = versionInfo();
  if (invocation.mode !== 'run') {
    process.stdout.write(invocation.mode === 'help' ? renderHelp() : renderVersion(version));
    return 0;
  }
  const config = invocation.config;
  const kc = await loadKubeConnection(config.kubeconfig);
  const logger = createLogger(config.logLevel, { format: config.logFormat });

  const metrics = createMetrics({ leaseName: config.leaderElectionId, maxConcurrentReconciles: config.concurrency });
  const recorder = new EventRecorder({
    sink: eventsV1Sink(kc), reportingInstance: config.identity.slice(0, 128),
    onError: (err) => logger.warn({ err: err.message }, 'event write failed'),
  });
  // Workers start now: a cold worker takes seconds, a warm one milliseconds per call.
  // At trace level each IPC message is one line: kind, ids and Sandbox method, never payloads.
  const trace = config.logLevel === 'trace' ? (line: string) => logger.trace({ ipc: line }, 'connector worker') : undefined;
  const workers = config.connectorRuntime === 'worker' ? new WorkerConnectorRuntime(trace ? { trace } : {}) : undefined;
  workers?.start();
  const connectorRuntime: ConnectorRuntime = workers ?? inProcessRuntime;
  const plugins = config.pluginDir === undefined ? EMPTY_CATALOG : await loadPluginDir(config.pluginDir);
  for (const p of plugins.plugins.values()) logger.info({ plugin: p.name, version: p.version, sha256: p.digest, source: p.source }, 'plugin loaded (runs only where a DeploymentPolicy pins its sha256)');
  for (const problem of plugins.problems) logger.warn({ source: problem.source, err: problem.message }, 'plugin refused at load');
  const controller = new Controller({ kc, config, logger, metrics, events: deploymentEvents(recorder), connectorRuntime, plugins, ...(config.deploySpanFile ? { spans: spanFile(config.deploySpanFile, config.identity) } : {}) });
  const cut = config.metricsBindAddress.lastIndexOf(':');
  const host = config.metricsBindAddress.slice(0, cut).replace(/^\[(.*)\]$/, '$1');
  const port = Number(config.metricsBindAddress.slice(cut + 1));
  const server = await startHttpServer({ host: host || '0.0.0.0', port, registry: metrics.registry, health: controller.health });
  const addr = server.address();
  logger.info({ version: version.version, commit: version.commit, identity: config.identity, namespaces: config.namespaces, metrics: typeof addr === 'object' ? addr?.port : addr, connectorRuntime: config.connectorRuntime }, 'cert-deployer starting');
  controller.start();

  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error('shutdown grace period exceeded; exiting');
    process.exit(1);
  }, config.shutdownGraceSeconds * 1000);
  deadline.unref();
  await controller.stop();
  await workers?.close();
  await recorder.flush();
  server.close();
  logger.info('stopped');
  return 0;
}

/**
 * `--deploy-span-file`: spans appended synchronously, so a line written before a SIGKILL is in
 * the file (the kernel holds it); a write failure is dropped, never allowed to fail a deploy.
 */
function spanFile(path: string, identity: string): DeploySpanSink {
  return {
    record(span) {
      try {
        appendFileSync(path, formatSpan(span, { identity, pid: process.pid }), { mode: 0o600 });
      } catch {
        // best effort: an audit aid, not part of the deploy
      }
    },
  };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cert-deployer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof ConfigError || err instanceof KubeconfigError ? 2 : 1);
  },
);
