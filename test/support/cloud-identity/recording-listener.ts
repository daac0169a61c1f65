/**
 * A plain HTTP listener on 127.0.0.1 standing in for a cloud identity endpoint (EC2 instance
 * metadata, ECS/EKS container credentials, STS, the GCE metadata server, Entra). It counts TCP
 * connections, not just requests, so a test can prove that a denied lookup never opened a
 * socket to it, and records every request (method, path, chosen headers, body) so a granted
 * lookup can be checked against the documented protocol. The answers are the test's.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface Answer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RecordingListener {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, the dial address a grant names. */
  readonly address: string;
  /** TCP connections accepted since start (or the last `reset`). */
  readonly connections: number;
  readonly requests: readonly RecordedRequest[];
  /** Sets how requests are answered (default: 404). */
  answer(fn: (req: RecordedRequest) => Answer): void;
  reset(): void;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a listener on a free loopback port. */
export async function startRecordingListener(): Promise<RecordingListener> {
  let connections = 0;
  const requests: RecordedRequest[] = [];
  let answer: (req: RecordedRequest) => Answer = () => ({ status: 404, body: 'not found' });
  const server: Server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const recorded = { method: req.method ?? '', path: req.url ?? '', headers, body };
      requests.push(recorded);
      const a = answer(recorded);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    requests,
    answer(fn) {
      answer = fn;
    },
    reset() {
      connections = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
