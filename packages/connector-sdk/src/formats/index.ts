/**
 * Format helpers: pure functions from a `Deployment` to the encodings targets ingest (key PEM
 * variants, HAProxy's combined PEM, PKCS#12, DER, SHA-1 thumbprint). Anything that carries the
 * private key comes back wrapped (`SecretValue` / `SecretBytes`), so it prints `[REDACTED]`
 * until a connector reveals it on the sandbox's path to the target. Every failure is a
 * terminal `FormatError` with a stable `reason`.
 */
export { toPkcs8Pem, toPkcs1Pem, toSec1Pem } from './key-pem.ts';
export { toCombinedPem, CombinedPemOrder } from './combined-pem.ts';
export type { CombinedPemOptions } from './combined-pem.ts';
export { toPkcs12, Pkcs12Encryption, PKCS12_DEFAULT_ITERATIONS, PKCS12_MAX_ITERATIONS } from './pkcs12.ts';
export type { Pkcs12Options } from './pkcs12.ts';
export { toDerCertificate, thumbprintSha1 } from './certificate.ts';
export { FormatError, FormatErrorReason, isFormatError } from './errors.ts';
