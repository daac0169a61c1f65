/**
 * Polls an HTTPS endpoint until it answers 200, authenticating with the admin client
 * certificate. Used to wait for `/readyz` of the apiserver and `/health` of etcd.
 */
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';

export interface TlsClientAuth {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** One GET; resolves with the status code (0 when the connection failed). */
export function probe(url: string, auth?: TlsClientAuth): Promise<number> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? request : httpRequest)(url, { ...auth, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Polls until 200 or `deadlineMs` passes; `alive()` lets the caller stop early when the process died. */
export async function waitReady(url: string, opts: { auth?: TlsClientAuth; deadlineMs: number; alive: () => boolean }): Promise<void> {
  const until = Date.now() + opts.deadlineMs;
  let last = 0;
  while (Date.now() < until) {
    if (!opts.alive()) throw new Error(`process exited before ${url} was ready`);
    last = await probe(url, opts.auth);
    if (last === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${opts.deadlineMs} ms (last status ${last})`);
}
