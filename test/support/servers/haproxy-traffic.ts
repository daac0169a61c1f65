/**
 * Bounded client traffic against a TLS frontend, for "no dropped connections" tests: a few
 * concurrent clients each open a FRESH TLS connection per request (no session reuse, so every
 * handshake shows the certificate served at that moment), send one HTTP/1.1 request and read
 * the answer. It stops by itself at `maxRequests` or when `stopWhen` says so, and records
 * every failure and every leaf fingerprint seen, in order. No timing is asserted on.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:tls';

export interface TrafficOptions {
  readonly port: number;
  readonly serverName?: string;
  /** Concurrent clients; default 2. */
  readonly concurrency?: number;
  /** Hard bound on requests over all clients; default 300. */
  readonly maxRequests?: number;
  /** Checked after each request; true stops the traffic. */
  readonly stopWhen?: (stats: TrafficStats) => boolean;
}

export interface TrafficStats {
  requests: number;
  readonly failures: string[];
  /** Leaf fingerprint (SHA-256 hex) of each successful request, in completion order. */
  readonly served: string[];
}

export interface Traffic {
  readonly stats: TrafficStats;
  /** Resolves when the traffic stopped by itself. */
  readonly done: Promise<TrafficStats>;
  /** Stops it early and waits for the requests in flight. */
  stop(): Promise<TrafficStats>;
}

/** One request on a fresh TLS connection: resolves the served leaf fingerprint, rejects on any failure. */
export function oneRequest(port: number, serverName: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let fp = '';
    let body = '';
    const s = connect({ host: '127.0.0.1', port, servername: serverName, rejectUnauthorized: false }, () => {
      const raw = s.getPeerCertificate().raw;
      fp = raw === undefined ? '' : createHash('sha256').update(raw).digest('hex');
      s.end(`GET / HTTP/1.1\r\nHost: ${serverName}\r\nConnection: close\r\n\r\n`);
    });
    s.setEncoding('utf8');
    s.setTimeout(timeoutMs, () => s.destroy(new Error('request timed out')));
    s.on('data', (d: string) => (body += d));
    s.once('error', reject);
    s.once('close', () => {
      if (!body.startsWith('HTTP/1.1 200')) reject(new Error(`unexpected answer: ${JSON.stringify(body.slice(0, 40))}`));
      else if (fp === '') reject(new Error('no peer certificate'));
      else resolve(fp);
    });
  });
}

/** Starts the traffic. */
export function startTraffic(opts: TrafficOptions): Traffic {
  const stats: TrafficStats = { requests: 0, failures: [], served: [] };
  const max = opts.maxRequests ?? 300;
  const serverName = opts.serverName ?? 'traffic.example.test';
  let stopped = false;
  const client = async (): Promise<void> => {
    while (!stopped && stats.requests < max) {
      stats.requests++;
      try {
        stats.served.push(await oneRequest(opts.port, serverName));
      } catch (err) {
        stats.failures.push((err as Error).message);
      }
      if (opts.stopWhen?.(stats) === true) stopped = true;
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency ?? 2 }, client)).then(() => {
    stopped = true;
    return stats;
  });
  return {
    stats,
    done,
    stop() {
      stopped = true;
      return done;
    },
  };
}
