/**
 * The optional read-only half of the connector contract: `Connector.inspect` reports which
 * certificate the target itself holds, so drift is found even where no endpoint can be probed
 * (ACM, Key Vault) and told apart from "installed but not served". The controller runs it in a
 * sandbox that denies every mutating operation, so a connector cannot inspect by doing.
 */
import { X509Certificate } from 'node:crypto';
import type { Sandbox } from './sandbox/sandbox.ts';
import type { DeployContext } from './connector.ts';
import { fingerprintOf } from './credential/index.ts';

/** A certificate a target holds: never more than its public facts. */
export interface HeldCertificate {
  /** Lowercase hex SHA-256 of the leaf's DER, as `Deployment.fingerprint`. */
  readonly fingerprint: string;
  /** RFC 3339, seconds. */
  readonly notAfter?: string | undefined;
}

/** What `inspect` found. */
export interface InspectResult {
  /** The certificate the target uses now (file contents, current version, bound object); `null`: none. */
  readonly active: HeldCertificate | null;
  /**
   * The target also holds the deployed certificate (`InspectContext.fingerprint`) without using
   * it, e.g. an F5 object no profile binds. Only connectors whose targets can say set it.
   */
  readonly expectedInstalled?: boolean | undefined;
  /** Short human summary for status; never key material. */
  readonly message?: string | undefined;
}

/** The deploy context plus the fingerprint the controller last deployed to this target. */
export interface InspectContext extends DeployContext {
  readonly fingerprint: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

/** RFC 3339 (seconds) of a certificate's notAfter. */
export function notAfterOf(cert: X509Certificate): string {
  return new Date(cert.validTo).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The first certificate in PEM text (the leaf, in every layout the file connectors write), or
 * `null` when there is none or it does not parse. Other blocks (a combined PEM's key) are never
 * looked at or returned.
 */
export function heldCertificateOf(pem: string): HeldCertificate | null {
  const block = CERTIFICATE_BLOCK.exec(pem)?.[0];
  if (block === undefined) return null;
  try {
    const cert = new X509Certificate(block);
    return { fingerprint: fingerprintOf(cert), notAfter: notAfterOf(cert) };
  } catch {
    return null;
  }
}

/** The facts of a DER certificate (as cloud APIs return it), or `null` when it does not parse. */
export function heldCertificateOfDer(der: Uint8Array): HeldCertificate | null {
  try {
    const cert = new X509Certificate(der);
    return { fingerprint: fingerprintOf(cert), notAfter: notAfterOf(cert) };
  } catch {
    return null;
  }
}

/** Inspects a PEM file whose first certificate is the one the server loads (file, nginx, apache, haproxy). */
export async function inspectPemFile(signal: AbortSignal, sandbox: Sandbox, path: string): Promise<InspectResult> {
  const bytes = await sandbox.readFile(path, { signal });
  if (bytes === null) return { active: null, message: `${path} does not exist` };
  const held = heldCertificateOf(new TextDecoder().decode(bytes));
  if (held === null) return { active: null, message: `${path} holds no readable certificate` };
  return { active: held, message: `${path} holds ${held.fingerprint.slice(0, 12)}…` };
}
