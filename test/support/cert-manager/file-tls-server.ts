/**
 * A TLS server on 127.0.0.1 that serves whatever certificate and key files are on disk at the
 * moment of each handshake, like NGINX after a reload: the stand-in for the "real server"
 * behind a `file` target, so the controller's verify step has something true to check.
 * Before the files exist (or while they do not match) handshakes fail.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { connect, createSecureContext, createServer, type Server } from 'node:tls';

export interface FileTlsServer {
  /** `127.0.0.1:<port>`, as written in `verify.endpoints[].address`. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the server. Clients must send SNI (any name): the certificate is chosen in the SNI
 * callback, which reads `certPath` and `keyPath` afresh every time.
 */
export async function startFileTlsServer(certPath: string, keyPath: string): Promise<FileTlsServer> {
  const server: Server = createServer({
    SNICallback: (_name, cb) => {
      Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')])
        .then(([cert, key]) => cb(null, createSecureContext({ cert, key })))
        .catch((err: unknown) => cb(err as Error));
    },
  });
  // A failed handshake (files missing) is expected, not a crash of the test process.
  server.on('tlsClientError', () => undefined);
  server.on('secureConnection', (socket) => socket.end('ok\n'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('file TLS server: no port');
  return {
    address: `127.0.0.1:${addr.port}`,
    port: addr.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * One fresh handshake (no session reuse) to 127.0.0.1:`port` with SNI `serverName`; resolves
 * with the SHA-256 of the leaf the server presented. The test's own view, independent of the
 * controller's verify code.
 */
export function servedLeafFingerprint(port: number, serverName: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: serverName, rejectUnauthorized: false, timeout: timeoutMs }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      if (!raw) reject(new Error('no peer certificate'));
      else resolve(createHash('sha256').update(raw).digest('hex'));
    });
    socket.on('timeout', () => socket.destroy(new Error(`TLS handshake with 127.0.0.1:${port} timed out`)));
    socket.on('error', reject);
  });
}
