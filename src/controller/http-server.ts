/**
 * The process's own HTTP endpoints: `/metrics` (Prometheus text), `/healthz` (liveness: the
 * event loop answers and no informer is stale) and `/readyz` (caches synced). Nothing else.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** Liveness problems (empty when healthy). */
  live(): string[];
  /** Readiness problems (empty when ready). */
  ready(): string[];
}

/** Starts the server on `host:port` (port 0 picks a free one); resolves with it listening. */
export async function startHttpServer(opts: { host: string; port: number; registry: Registry; health: HealthChecks }): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const check = (problems: string[]) => {
      res.writeHead(problems.length === 0 ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(problems.length === 0 ? 'ok\n' : `${problems.join('\n')}\n`);
    };
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz' || path === '/livez') {
      check(opts.health.live());
    } else if (path === '/readyz') {
      check(opts.health.ready());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return server;
}
