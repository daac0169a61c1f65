/**
 * Chain ordering: leaf → intermediates → root, from whatever order the Secret holds them in.
 * Servers send the chain in file order and clients are unforgiving about it, yet Secrets in
 * the wild hold chains reversed, shuffled, duplicated between `tls.crt` and `ca.crt`, or
 * padded with unrelated CAs. The order is decided by cryptography, not by file position: a
 * certificate is the next link only if its subject matches the current issuer (OpenSSL's
 * `X509_check_issued`, which also compares key identifiers) AND its key verifies the current
 * signature.
 *
 * Pure: no I/O and no clock. Validity dates are not consulted; that is the caller's policy.
 */
import type { X509Certificate } from 'node:crypto';

/** The result of ordering: the chain and the certificates that were not part of it. */
export interface OrderedChain {
  /** `leaf` first, each next element the issuer of the previous one. */
  readonly chain: readonly X509Certificate[];
  /**
   * Certificates from the pool that do not link into the chain (unrelated CAs, a second
   * leaf). Callers drop them; they are returned so that a caller could report them.
   */
  readonly unlinked: readonly X509Certificate[];
}

/** True when `parent` issued `child`: names/key ids link and the signature verifies. */
export function isIssuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false; // e.g. a signature algorithm OpenSSL cannot verify: not a link we can prove
  }
}

/** A self-signed certificate ends a chain: it is its own issuer. */
export function isSelfSigned(cert: X509Certificate): boolean {
  return isIssuedBy(cert, cert);
}

/** Drops repeated certificates (same DER), keeping the first occurrence and the input order. */
export function dedupeCertificates(certs: readonly X509Certificate[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const cert of certs) {
    if (!out.some((seen) => seen.raw.equals(cert.raw))) out.push(cert);
  }
  return out;
}

/**
 * Builds the chain from `leaf` by repeatedly taking, from `pool`, the first certificate that
 * issued the current one, until a self-signed certificate or no issuer is found. `pool` may
 * contain `leaf` and duplicates; both are ignored.
 *
 * When several pool certificates could issue the same certificate (cross-signing), the first
 * one in pool order wins, so the caller's input order is the tie-breaker; for a chain with a
 * single issuer per link the result does not depend on pool order at all.
 */
export function orderChain(leaf: X509Certificate, pool: readonly X509Certificate[]): OrderedChain {
  const remaining = dedupeCertificates(pool).filter((cert) => !cert.raw.equals(leaf.raw));
  const chain: X509Certificate[] = [leaf];
  let current = leaf;
  while (!isSelfSigned(current)) {
    const at = remaining.findIndex((candidate) => isIssuedBy(current, candidate));
    if (at === -1) break;
    current = remaining.splice(at, 1)[0] as X509Certificate;
    chain.push(current);
  }
  return { chain, unlinked: remaining };
}
