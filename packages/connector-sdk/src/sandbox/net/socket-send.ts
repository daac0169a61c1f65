/**
 * `Sandbox.send`: write a request to a stream socket, half-close, read until the peer closes.
 * That is how line protocols such as the HAProxy runtime API answer one command. The read is
 * capped; the whole exchange runs under one deadline signal.
 */
import { createConnection, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** A send that sets no timeout gets this one. */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;

/** A send that sets no response cap gets this one. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Opens a TCP connection; rejects on error or when `signal` aborts. */
export function connectTcp(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    signal.throwIfAborted();
    const socket = createConnection({ host, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/**
 * Writes `data`, ends the write side and collects the reply until EOF or until `maxBytes` have
 * arrived (then the stream is destroyed and the first `maxBytes` returned). Always destroys
 * the stream before settling.
 */
export function exchange(stream: Duplex, data: Uint8Array, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: unknown, result?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      stream.destroy();
      if (err === undefined && result !== undefined) resolve(result);
      else reject(err);
    };
    const collected = (): Uint8Array => {
      const all = Buffer.concat(chunks).subarray(0, maxBytes);
      return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
    };
    const onAbort = (): void => finish(signal.reason);
    if (signal.aborted) {
      finish(signal.reason);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buf);
      size += buf.length;
      if (size >= maxBytes) finish(undefined, collected());
    });
    stream.once('end', () => finish(undefined, collected()));
    stream.once('close', () => finish(undefined, collected()));
    stream.once('error', (err) => finish(err));
    stream.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
}
