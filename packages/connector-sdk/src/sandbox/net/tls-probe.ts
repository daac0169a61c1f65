/**
 * `Sandbox.tlsProbe`: what certificate does an endpoint serve right now, for a given SNI name?
 * Each probe is a fresh handshake: a new secure context, no session (a resumed session would
 * show the certificate of an earlier handshake, before a reload).
 *
 * `rejectUnauthorized: false` is deliberate and safe here ONLY because the result is compared
 * by fingerprint with the certificate we deployed, never trusted: nothing is sent over the
 * connection, and an impostor cannot present our fingerprint without our certificate. The
 * context carries an empty CA list so the reported chain is what the server sent, not a chain
 * completed from the local trust store.
 */
import { createHash } from 'node:crypto';
import { connect, createSecureContext, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { CertDeployerError, ErrorCode } from '../errors.ts';
import type { TlsProbeResult } from '../sandbox.ts';

/** A probe that sets no timeout gets this one. */
export const DEFAULT_TLS_PROBE_TIMEOUT_MS = 10_000;

/** Lowercase hex SHA-256 of DER, the fingerprint format used across the project. */
export function derFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Fingerprints of a peer chain as Node reports it with `getPeerCertificate(true)`, leaf first.
 * Stops at a self-issued certificate (Node links it to itself) or at any repeat.
 */
export function chainFingerprints(leaf: DetailedPeerCertificate | Record<string, never>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = 'raw' in leaf ? (leaf as DetailedPeerCertificate) : undefined;
  while (cert?.raw !== undefined) {
    const fp = derFingerprint(cert.raw);
    if (seen.has(fp)) break;
    seen.add(fp);
    out.push(fp);
    const next: DetailedPeerCertificate | undefined = cert.issuerCertificate;
    if (next === undefined || next === cert) break;
    cert = next;
  }
  return out;
}

export interface TlsProbeTarget {
  /** Host to connect to, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** SNI name, or undefined to send none (IP literal without an explicit name). */
  readonly serverName: string | undefined;
  /** The canonical address for messages. */
  readonly label: string;
}

/** Handshakes once and reports the served chain; `signal` carries deadline and cancellation. */
export function probeTls(target: TlsProbeTarget, signal: AbortSignal): Promise<TlsProbeResult> {
  return new Promise<TlsProbeResult>((resolve, reject) => {
    signal.throwIfAborted();
    const socket: TLSSocket = connect({
      host: target.host,
      port: target.port,
      ...(target.serverName === undefined ? {} : { servername: target.serverName }),
      rejectUnauthorized: false,
      secureContext: createSecureContext({ ca: [] }),
      session: undefined,
    });
    let settled = false;
    const finish = (err: unknown, result?: TlsProbeResult): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (result !== undefined) resolve(result);
      else reject(err);
    };
    const onAbort = (): void => finish(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      const fingerprints = chainFingerprints(peer);
      if (fingerprints.length === 0) {
        finish(new CertDeployerError(ErrorCode.Connector, `${target.label} presented no certificate`));
        return;
      }
      const notAfter = peer.valid_to ? new Date(peer.valid_to) : undefined;
      finish(undefined, { fingerprints, protocol: socket.getProtocol(), leafNotAfter: notAfter && !Number.isNaN(notAfter.getTime()) ? notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z') : null });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const detail = err.code ?? err.message;
      finish(new CertDeployerError(ErrorCode.Unreachable, `TLS handshake with ${target.label} failed: ${detail}`, { retryable: true, cause: err }));
    });
  });
}
