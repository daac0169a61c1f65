/**
 * The credential model's public surface: callers import from here so the internal split
 * (scanner, key policy, chain ordering, orchestration) can change without touching them.
 */
export { parseTlsSecret, inspectTlsSecret, DEFAULT_MAX_FIELD_BYTES } from './parse-tls-secret.ts';
export type { TlsSecretData, SecretField, ParseTlsSecretOptions, InspectedTlsSecret } from './parse-tls-secret.ts';
export { DEFAULT_MAX_CHAIN_BYTES, DEFAULT_MAX_CHAIN_CERTIFICATES, checkChainBytes, checkChainCount } from './chain-limits.ts';
export type { ChainLimits } from './chain-limits.ts';
export { WeakCredentialPolicy, MIN_RSA_BITS, MIN_RSA_EXPONENT, assessStrength, applyStrengthPolicy } from './strength.ts';
export type { Weakness } from './strength.ts';
export { InvalidCertificateError, InvalidCertificateReason, isInvalidCertificate } from './errors.ts';
export type { TlsSecretField } from './errors.ts';
export { orderChain, isIssuedBy, isSelfSigned, dedupeCertificates } from './chain-order.ts';
export type { OrderedChain } from './chain-order.ts';
export { scanPem, encodePem } from './pem.ts';
export type { PemBlock } from './pem.ts';
export { classifyKey, parsePrivateKey } from './private-key.ts';
export type { ParsedPrivateKey } from './private-key.ts';
export { describeSubject, describeCertificate, dnsNamesOf, fingerprintOf, parseSubjectAltName } from './certificate-facts.ts';
