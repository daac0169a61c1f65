/**
 * The fake's identity side: service accounts with real RSA keys (the key file is what a user
 * downloads from IAM), the OAuth 2.0 JWT-bearer exchange (RFC 7523) as Google's token
 * endpoint documents it, with the assertion's signature, audience, lifetime and scope
 * checked, and bearer tokens the API side accepts.
 */
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
/** Google refuses assertions valid for more than an hour. */
const MAX_LIFETIME_S = 3600;

interface Account {
  readonly publicKey: KeyObject;
  readonly keyId: string;
}

/** Outcome of one token request: the token, or an OAuth error (status + body). */
export type TokenAnswer = { readonly ok: true; readonly token: string } | { readonly ok: false; readonly status: number; readonly error: string; readonly description: string };

const fail = (error: string, description: string, status = 400): TokenAnswer => ({ ok: false, status, error, description });

function decodeSegment(segment: string | undefined): Record<string, unknown> | null {
  if (segment === undefined) return null;
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export class OAuthState {
  readonly #accounts = new Map<string, Account>();
  readonly #tokens = new Set<string>();
  /** Every assertion's claims the token endpoint accepted, for tests to inspect. */
  readonly acceptedAssertions: Record<string, unknown>[] = [];

  /** Creates a service account and returns its key file (key.json) text. */
  createServiceAccount(email: string, project = 'fake-project'): string {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyId = randomBytes(20).toString('hex');
    this.#accounts.set(email, { publicKey, keyId });
    return JSON.stringify({
      type: 'service_account',
      project_id: project,
      private_key_id: keyId,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: email,
      client_id: '100000000000000000000',
      token_uri: 'https://oauth2.googleapis.com/token',
    });
  }

  /** Disables an account: its assertions are refused from now on (a deleted key). */
  removeServiceAccount(email: string): void {
    this.#accounts.delete(email);
  }

  /** A token for the workload identity (what the metadata server hands out). */
  issueToken(): string {
    const token = `ya29.fake-${randomBytes(16).toString('hex')}`;
    this.#tokens.add(token);
    return token;
  }

  isValidToken(token: string): boolean {
    return this.#tokens.has(token);
  }

  /** The token endpoint: checks the grant type and the assertion, then issues a token. */
  exchange(form: URLSearchParams, audience: string, nowMs: number): TokenAnswer {
    if (form.get('grant_type') !== JWT_BEARER) return fail('unsupported_grant_type', 'Invalid grant_type.');
    const parts = (form.get('assertion') ?? '').split('.');
    const [header, claims] = [decodeSegment(parts[0]), decodeSegment(parts[1])];
    if (parts.length !== 3 || header === null || claims === null) return fail('invalid_request', 'Invalid JWT.');
    if (header.alg !== 'RS256') return fail('invalid_grant', 'Invalid JWT: unsupported algorithm.');
    const account = typeof claims.iss === 'string' ? this.#accounts.get(claims.iss) : undefined;
    if (account === undefined) return fail('invalid_grant', 'Invalid grant: account not found');
    if (header.kid !== undefined && header.kid !== account.keyId) return fail('invalid_grant', 'Invalid JWT Signature.');
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    if (!verify('sha256', signed, account.publicKey, Buffer.from(parts[2] as string, 'base64url'))) return fail('invalid_grant', 'Invalid JWT Signature.');
    if (claims.aud !== audience) return fail('invalid_grant', 'Invalid JWT: aud does not match the token endpoint.');
    const now = Math.floor(nowMs / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp <= now || iat > now + 300 || exp - iat > MAX_LIFETIME_S) {
      return fail('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    }
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(CLOUD_PLATFORM)) return fail('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    this.acceptedAssertions.push(claims);
    return { ok: true, token: this.issueToken() };
  }
}
