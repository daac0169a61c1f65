/**
 * Limits on the certificate chain a Secret may carry. The per-field cap (1 MiB, the Secret
 * size limit) can never fire on a stored Secret, so on its own it lets a Secret hold hundreds
 * of certificates: each is parsed, chain ordering tries every pair (signature checks grow with
 * the square of the count), and the duplicates were then silently dropped. A real chain is a
 * leaf, one to three intermediates and perhaps a root — two to five certificates, a few KiB —
 * so both limits below are generous by an order of magnitude and still refuse a hostile or
 * broken Secret (a trust bundle pasted into `ca.crt`, a chain appended on every renewal) with
 * a specific reason instead of accepting it.
 *
 * Pure: the byte check runs before any parsing, the count check on the scanned PEM blocks
 * before any X.509 decoding, so a refused Secret costs no certificate parsing at all.
 */
import { InvalidCertificateError, InvalidCertificateReason } from './errors.ts';

/** Certificate blocks in `tls.crt` + `ca.crt` together, duplicates counted. Real chains hold 2–5. */
export const DEFAULT_MAX_CHAIN_CERTIFICATES = 32;

/** Bytes of `tls.crt` + `ca.crt` together. Real chains are 2–10 KiB; 32 RSA-4096 certificates fit. */
export const DEFAULT_MAX_CHAIN_BYTES = 64 * 1024;

/** The chain limits a parse applies (both optional in the options; these are the defaults). */
export interface ChainLimits {
  readonly maxCertificates: number;
  readonly maxBytes: number;
}

/** Refuses a chain whose fields together exceed `limits.maxBytes`; `sizes` are the raw field sizes. */
export function checkChainBytes(sizes: { readonly crt: number; readonly ca: number }, limits: ChainLimits): void {
  const total = sizes.crt + sizes.ca;
  if (total <= limits.maxBytes) return;
  const split = sizes.ca > 0 ? ` (tls.crt ${sizes.crt}, ca.crt ${sizes.ca})` : '';
  throw new InvalidCertificateError(
    InvalidCertificateReason.ChainTooLarge,
    `tls.crt and ca.crt hold ${total} bytes${split}, above the limit of ${limits.maxBytes} bytes; a chain is the leaf and its issuers (a few KiB), not a trust bundle`,
    sizes.ca > sizes.crt ? 'ca.crt' : 'tls.crt',
  );
}

/** Refuses more than `limits.maxCertificates` certificate blocks across both fields. */
export function checkChainCount(counts: { readonly crt: number; readonly ca: number }, limits: ChainLimits): void {
  const total = counts.crt + counts.ca;
  if (total <= limits.maxCertificates) return;
  throw new InvalidCertificateError(
    InvalidCertificateReason.ChainTooLong,
    `tls.crt and ca.crt hold ${total} certificates (tls.crt ${counts.crt}, ca.crt ${counts.ca}), above the limit of ${limits.maxCertificates}; a chain is the leaf and its issuers, usually 2 to 5 certificates`,
    counts.ca > counts.crt ? 'ca.crt' : 'tls.crt',
  );
}
