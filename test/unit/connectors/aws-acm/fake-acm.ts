/**
 * A loopback HTTP server speaking ACM's wire format (AWS JSON 1.1: POST /, operation in
 * `X-Amz-Target`, JSON errors with `__type`) for the failures moto cannot produce: throttling,
 * 5xx, a certificate in use, pagination. Each test scripts the answers per operation. Used
 * only for error mapping and paging; everything else is tested against moto.
 */
import { createServer, type Server } from 'node:http';

export interface FakeReply {
  readonly status: number;
  readonly body?: unknown;
}

export type FakeHandler = (input: Record<string, unknown>, call: number) => FakeReply;

export interface FakeAcm {
  readonly endpoint: string;
  /** Every request: operation name and parsed JSON input. */
  readonly calls: { operation: string; input: Record<string, unknown> }[];
  /** Scripts an operation; unscripted operations answer 400 UnknownOperationException. */
  on(operation: string, handler: FakeHandler): void;
  close(): Promise<void>;
}

/** An AWS JSON error reply. */
export const awsError = (status: number, type: string, message = type): FakeReply => ({ status, body: { __type: type, message } });

export async function startFakeAcm(): Promise<FakeAcm> {
  const handlers = new Map<string, FakeHandler>();
  const counts = new Map<string, number>();
  const calls: FakeAcm['calls'] = [];
  const server: Server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^CertificateManager\./, '');
    const input = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    calls.push({ operation, input });
    const n = (counts.get(operation) ?? 0) + 1;
    counts.set(operation, n);
    const reply = handlers.get(operation)?.(input, n) ?? awsError(400, 'UnknownOperationException', `unscripted ${operation}`);
    res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}` });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    calls,
    on: (operation, handler) => void handlers.set(operation, handler),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
