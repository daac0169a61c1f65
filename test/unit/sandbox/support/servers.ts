/** Real loopback servers for sandbox network tests, each closed by the returned function. */
import type { AddressInfo, Server } from 'node:net';

/** Starts listening on 127.0.0.1 (or a unix path) and returns the port (0 for unix). */
export async function listen(server: Server, path?: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (path === undefined) server.listen(0, '127.0.0.1', resolve);
    else server.listen(path, resolve);
  });
  return path === undefined ? (server.address() as AddressInfo).port : 0;
}

/** Closes a server, dropping idle keep-alive connections. */
export async function close(server: Server): Promise<void> {
  (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
}

/** Counts accepted connections so a test can prove that a denied dial never reached the server. */
export function countConnections(server: Server): () => number {
  let n = 0;
  server.on('connection', () => n++);
  return () => n;
}
