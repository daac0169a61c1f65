/**
 * Authentication of the fake, as iControl REST documents it: a token from
 * `POST /mgmt/shared/authn/login` sent as `X-F5-Auth-Token` (lifetime 1200 s), or HTTP Basic
 * for local users (remote users — modelled by `basic: false` — must use tokens). Roles gate
 * what a user may change: `guest` reads only, `manager` manages SSL objects and profiles but
 * may not run utilities such as unix-rm, `admin` may do everything.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { F5Error, type FakeState } from './model.ts';

export type Role = 'admin' | 'manager' | 'guest';

export interface FakeUser {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  /** HTTP Basic accepted (local users); false for a remote-auth user. Default true. */
  readonly basic?: boolean;
}

export type AuthKind = 'token' | 'basic' | 'none';

/** Default token lifetime of BIG-IP. */
export const TOKEN_TTL_MS = 1_200_000;

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Who is calling, or the 401 a BIG-IP answers. */
export function authenticate(state: FakeState, users: readonly FakeUser[], headers: Record<string, string | string[] | undefined>, now: number): { user: FakeUser; kind: AuthKind } {
  const token = headers['x-f5-auth-token'];
  if (typeof token === 'string' && token !== '') {
    const session = state.tokens.get(token);
    const user = users.find((u) => u.username === session?.user);
    if (session === undefined || session.expiresAt <= now || user === undefined) {
      if (session !== undefined) state.tokens.delete(token);
      throw new F5Error(401, 'X-F5-Auth-Token does not exist.');
    }
    return { user, kind: 'token' };
  }
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = users.find((u) => u.username === decoded.slice(0, colon));
    if (colon < 0 || user === undefined || !same(user.password, decoded.slice(colon + 1)) || user.basic === false) {
      throw new F5Error(401, 'Authentication failed.');
    }
    return { user, kind: 'basic' };
  }
  throw new F5Error(401, 'Authorization failed: no user authentication header or token detected.');
}

/** `POST /mgmt/shared/authn/login`: the documented response carries the token in `.token.token`. */
export function login(state: FakeState, users: readonly FakeUser[], body: unknown, now: number): Record<string, unknown> {
  const b = (body ?? {}) as { username?: unknown; password?: unknown; loginProviderName?: unknown };
  if (b.loginProviderName !== undefined && b.loginProviderName !== 'tmos') throw new F5Error(400, `Login provider ${String(b.loginProviderName)} is not configured.`);
  const user = users.find((u) => u.username === b.username);
  if (user === undefined || typeof b.password !== 'string' || !same(user.password, b.password)) throw new F5Error(401, 'Authentication failed.');
  const token = randomBytes(13).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, 'X');
  state.tokens.set(token, { user: user.username, expiresAt: now + TOKEN_TTL_MS });
  return {
    username: user.username,
    loginProviderName: 'tmos',
    token: {
      token,
      name: token,
      userName: user.username,
      timeout: TOKEN_TTL_MS / 1000,
      startTime: new Date(now).toISOString(),
      expirationMicros: (now + TOKEN_TTL_MS) * 1000,
      kind: 'shared:authz:tokens:authtokenitemstate',
      selfLink: `https://localhost/mgmt/shared/authz/tokens/${token}`,
    },
    generation: 0,
    lastUpdateMicros: now * 1000,
  };
}

/** Refuses a change the role does not allow. */
export function authorize(user: FakeUser, method: string, needsAdmin: boolean): void {
  if (method === 'GET') return;
  if (user.role === 'guest' || (needsAdmin && user.role !== 'admin')) {
    throw new F5Error(403, `The user (${user.username}) role does not allow ${method} on this resource.`);
  }
}
