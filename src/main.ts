/**
 * The `cert-deployer` process: config from flags/env, the controller, /metrics + probes, and
 * a graceful SIGTERM (in-flight deploys finish or are cancelled, the Lease is released, exit
 * within the grace period).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from './controller/config.ts';
import { Controller } from './controller/controller.ts';
import { deploymentEvents } from './controller/deployment-events.ts';
import { startHttpServer } from './controller/http-server.ts';
import { createLogger } from './controller/logger.ts';
import { createMetrics } from './controller/metrics.ts';
import { EventRecorder, eventsV1Sink } from './controller/runtime/event-recorder.ts';

async function main(): Promise<number> {
  const config = loadConfig(process.argv.slice(2), process.env, `${hostname()}-${randomBytes(3).toString('hex')}`);
  const logger = createLogger(config.logLevel);
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromCluster();

  const metrics = createMetrics();
  const recorder = new EventRecorder({
    sink: eventsV1Sink(kc), reportingInstance: config.identity.slice(0, 128),
    onError: (err) => logger.warn({ err: err.message }, 'event write failed'),
  });
  const controller = new Controller({ kc, config, logger, metrics, events: deploymentEvents(recorder) });
  const cut = config.metricsBindAddress.lastIndexOf(':');
  const host = config.metricsBindAddress.slice(0, cut).replace(/^\[(.*)\]$/, '$1');
  const port = Number(config.metricsBindAddress.slice(cut + 1));
  const server = await startHttpServer({ host: host || '0.0.0.0', port, registry: metrics.registry, health: controller.health });
  const addr = server.address();
  logger.info({ identity: config.identity, namespaces: config.namespaces, metrics: typeof addr === 'object' ? addr?.port : addr }, 'cert-deployer starting');
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
  await recorder.flush();
  server.close();
  logger.info('stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cert-deployer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
