/**
 * What a TLS endpoint serves, seen from a client: a fresh `node:tls` handshake with SNI (no
 * session reuse, so a resumed session cannot show a certificate from before a reload) and the
 * chain the server sent, as lowercase hex SHA-256 fingerprints, leaf first. Independent of the
 * sandbox's own probe on purpose, so tests of the connectors do not check code with itself.
 *
 * Reloads are asynchronous (nginx starts new workers, httpd new children), so "is it served
 * yet" is always polled, never a single look after a sleep.
 */
import { createHash } from 'node:crypto';
import { connect, createSecureContext, type DetailedPeerCertificate } from 'node:tls';

const fp = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

/** Leaf-first fingerprints of the chain `address` serves for `serverName`. */
export function servedChain(address: string, serverName: string, timeoutMs = 5_000): Promise<string[]> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      servername: serverName,
      rejectUnauthorized: false,
      // An empty trust store: Node reports what the server sent, not a chain completed locally.
      secureContext: createSecureContext({ ca: [] }),
    });
    const timer = setTimeout(() => socket.destroy(new Error(`TLS handshake with ${address} timed out`)), timeoutMs);
    socket.once('secureConnect', () => {
      const out: string[] = [];
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert?.raw !== undefined && !out.includes(fp(cert.raw))) {
        out.push(fp(cert.raw));
        cert = cert.issuerCertificate === cert ? undefined : cert.issuerCertificate;
      }
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The leaf fingerprint served now, or null when no handshake completes. */
export async function servedLeaf(address: string, serverName: string): Promise<string | null> {
  try {
    return (await servedChain(address, serverName))[0] ?? null;
  } catch {
    return null;
  }
}

/** Consecutive handshakes that must agree before a reload counts as done (see waitUntilServed). */
const STABLE_HANDSHAKES = 3;

/**
 * Polls until `address` serves `fingerprint` as its leaf on several handshakes in a row, or
 * `timeoutMs` passes. In a row, because right after a reload the old workers (nginx) or
 * children (httpd) may still accept a connection or two with the previous certificate.
 * Returns the last leaf seen (null when no handshake completed), so a caller can assert on it
 * and a failure message names what was served instead.
 */
export async function waitUntilServed(address: string, serverName: string, fingerprint: string, timeoutMs = 20_000): Promise<string | null> {
  const until = Date.now() + timeoutMs;
  let streak = 0;
  for (;;) {
    const leaf = await servedLeaf(address, serverName);
    streak = leaf === fingerprint ? streak + 1 : 0;
    if (streak >= STABLE_HANDSHAKES || Date.now() > until) return leaf;
    await new Promise((r) => setTimeout(r, streak > 0 ? 20 : 50));
  }
}

/** The first moment `address` serves `fingerprint` at all (for measuring, not for asserting). */
export async function firstServed(address: string, serverName: string, fingerprint: string, timeoutMs = 60_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() <= until) {
    if ((await servedLeaf(address, serverName)) === fingerprint) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/**
 * The leaf served once it has stayed the same for `quietMs` (or at `timeoutMs`): for checking
 * that something was NOT deployed, where there is no expected value to wait for.
 */
export async function settledLeaf(address: string, serverName: string, quietMs = 1_000, timeoutMs = 10_000): Promise<string | null> {
  const until = Date.now() + timeoutMs;
  let last = await servedLeaf(address, serverName);
  let since = Date.now();
  while (Date.now() < until && Date.now() - since < quietMs) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await servedLeaf(address, serverName);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}

/**
 * Polls until new connections are served exactly `expected` (leaf first) or `timeoutMs`
 * passes; returns the last chain seen. A graceful reload lets old workers finish, so right
 * after the new leaf first appears a handshake can still reach an old worker.
 */
export async function waitUntilChain(address: string, serverName: string, expected: readonly string[], timeoutMs = 5_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  let chain = await servedChain(address, serverName);
  while (JSON.stringify(chain) !== JSON.stringify(expected) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    chain = await servedChain(address, serverName);
  }
  return chain;
}
