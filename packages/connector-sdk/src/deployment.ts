/**
 * The credential a connector deploys. Built by the credential model from a kubernetes.io/tls
 * Secret. The private key is wrapped so that logging, JSON or inspection never prints it.
 */

import { Buffer } from 'node:buffer';

const REDACTED = '[REDACTED]';

/** Holds key material; only `reveal()` returns it. Serialises and inspects as `[REDACTED]`. */
export class SecretValue {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The only way to read the secret: call it on the sandbox's path to the target, nowhere else. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/**
 * Binary key material (a PKCS#12 bundle, a DER key) with the same guarantees as
 * `SecretValue`: only `reveal()` / `revealBase64()` return it; `String()`, JSON and
 * `util.inspect` print `[REDACTED]`. Holds a private copy, and hands out copies, so no
 * caller can change what another caller will send.
 */
export class SecretBytes {
  readonly #value: Uint8Array;
  constructor(value: Uint8Array) {
    this.#value = Uint8Array.from(value);
  }
  /** Size in bytes: not secret, and useful for logs and upload headers. */
  get byteLength(): number {
    return this.#value.byteLength;
  }
  /** A copy of the bytes. Call it on the sandbox's path to the target, nowhere else. */
  reveal(): Uint8Array {
    return Uint8Array.from(this.#value);
  }
  /** The bytes as standard base64, the form cloud APIs and PowerShell scripts take. */
  revealBase64(): string {
    return Buffer.from(this.#value.buffer, this.#value.byteOffset, this.#value.byteLength).toString('base64');
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export type KeyAlgorithm = 'rsa' | 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519';

export interface Deployment {
  /** Lowercase hex SHA-256 of the leaf certificate's DER: the idempotency key. */
  readonly fingerprint: string;
  /** The leaf certificate, PEM. */
  readonly certificatePem: string;
  /** Leaf first, then intermediates, then (when given) the root, each PEM. */
  readonly chainPem: readonly string[];
  /** The private key, normalised to PKCS#8 PEM. */
  readonly privateKey: SecretValue;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly dnsNames: readonly string[];
}
