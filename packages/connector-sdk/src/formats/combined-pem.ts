/**
 * One PEM file with the certificate chain and the private key: what HAProxy's `crt` (and its
 * Runtime API `set ssl cert`) loads, and what many appliances call a "combined" or "bundle" PEM.
 *
 * What HAProxy expects (src/ssl_ckch.c, `ssl_sock_load_pem_into_ckch`): it first scans the
 * whole file for a private key (`PEM_read_bio_PrivateKey` skips other blocks, so the key may
 * come anywhere), rewinds, takes the FIRST `CERTIFICATE` block as the server certificate and
 * every later `CERTIFICATE` block, in file order, as the chain it sends. So the leaf must be
 * the first certificate and the intermediates must follow leaf-issuer-first; the key position
 * is free. The conventional layout — `cat fullchain.pem privkey.pem` — is leaf, intermediates,
 * key, and is the default here.
 *
 * The Runtime API payload of `set ssl cert` ends at the first empty line, so the output never
 * contains one: every block is followed by exactly one `\n`, and the file ends with `\n`.
 */
import { SecretValue, type Deployment } from '../deployment.ts';
import { encodePem } from '../credential/pem.ts';
import { FormatError, FormatErrorReason } from './errors.ts';
import { loadBundle, withoutRoot } from './material.ts';

/** Where the key goes relative to the certificates. */
export const CombinedPemOrder = {
  /** Leaf, intermediates, key: the `cat fullchain.pem privkey.pem` layout (default). */
  CertificatesThenKey: 'certificates-then-key',
  /** Key, leaf, intermediates: the layout some HAProxy guides and appliances use. */
  KeyThenCertificates: 'key-then-certificates',
} as const;
export type CombinedPemOrder = (typeof CombinedPemOrder)[keyof typeof CombinedPemOrder];

export interface CombinedPemOptions {
  /** Default `certificates-then-key`. */
  readonly order?: CombinedPemOrder;
  /**
   * Keep a self-signed root at the end of the chain. Default false: a server sending its own
   * trust anchor wastes handshake bytes and is flagged by TLS scanners ("contains anchor").
   */
  readonly includeRoot?: boolean;
}

const ORDERS: ReadonlySet<string> = new Set(Object.values(CombinedPemOrder));

/** Leaf, intermediates and PKCS#8 key in one newline-terminated PEM text without blank lines. */
export function toCombinedPem(dep: Deployment, options: CombinedPemOptions = {}): SecretValue {
  const order = options.order ?? CombinedPemOrder.CertificatesThenKey;
  if (!ORDERS.has(order)) {
    throw new FormatError(FormatErrorReason.InvalidOption, `order must be one of ${[...ORDERS].join(', ')}`);
  }
  if (options.includeRoot !== undefined && typeof options.includeRoot !== 'boolean') {
    throw new FormatError(FormatErrorReason.InvalidOption, 'includeRoot must be a boolean');
  }
  const { leaf, issuers, key } = loadBundle(dep);
  const chain = options.includeRoot === true ? issuers : withoutRoot(issuers);
  const certificates = [leaf, ...chain].map((cert) => encodePem('CERTIFICATE', cert.raw)).join('');
  const keyPem = key.export({ type: 'pkcs8', format: 'pem' }) as string;
  return new SecretValue(order === CombinedPemOrder.CertificatesThenKey ? certificates + keyPem : keyPem + certificates);
}
