/**
 * Service account keys and the OAuth 2.0 JWT-bearer assertion (RFC 7523) Google exchanges
 * for an access token. Signing is pure computation with node:crypto (no I/O), so it stays in
 * the connector; the exchange itself goes through the sandbox. Parse failures never quote the
 * key file: it holds a private key.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { terminal, type SecretValue } from '@cert-deployer/connector-sdk';

/** The scope Certificate Manager calls need. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Lifetime asked for in the assertion; Google caps it at one hour. */
const ASSERTION_LIFETIME_S = 3600;

const keyFileSchema = z.object({
  type: z.literal('service_account'),
  client_email: z.string().min(3).max(320),
  private_key: z.string().min(1),
  private_key_id: z.string().max(200).optional(),
});

/** A parsed service account key: the signing key stays a KeyObject, never a string. */
export interface ServiceAccountKey {
  readonly clientEmail: string;
  readonly keyId: string | undefined;
  readonly signingKey: KeyObject;
}

/**
 * Parses `key.json` from the referenced Secret. Terminal on any problem (a different key file
 * will not appear by retrying); messages name the field, never its value.
 */
export function parseServiceAccountKey(secret: SecretValue, secretName: string): ServiceAccountKey {
  let json: unknown;
  try {
    json = JSON.parse(secret.reveal());
  } catch {
    throw terminal(`Secret ${secretName}: key.json is not valid JSON`);
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
    const type = (json as { type?: unknown } | null)?.type;
    const hint = typeof type === 'string' && type !== 'service_account' ? ` (type ${JSON.stringify(type.slice(0, 40))} is not supported; use a service account key or workload identity)` : '';
    throw terminal(`Secret ${secretName}: key.json is not a service account key: check ${fields}${hint}`);
  }
  let signingKey: KeyObject;
  try {
    signingKey = createPrivateKey({ key: parsed.data.private_key, format: 'pem' });
  } catch {
    throw terminal(`Secret ${secretName}: key.json private_key is not a PEM private key`);
  }
  if (signingKey.asymmetricKeyType !== 'rsa') throw terminal(`Secret ${secretName}: key.json private_key is not an RSA key`);
  return { clientEmail: parsed.data.client_email, keyId: parsed.data.private_key_id, signingKey };
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/**
 * The signed assertion: `iss` the service account, `aud` the token endpoint, the cloud-platform
 * scope, valid from `nowMs` for an hour. RS256, as Google requires.
 */
export function signAssertion(key: ServiceAccountKey, tokenUrl: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.keyId === undefined ? {} : { kid: key.keyId }) };
  const claims = { iss: key.clientEmail, scope: CLOUD_PLATFORM_SCOPE, aud: tokenUrl, iat, exp: iat + ASSERTION_LIFETIME_S };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), key.signingKey);
  return `${input}.${b64url(signature)}`;
}
