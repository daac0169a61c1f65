/**
 * Test helpers around a started sshd: an SshHost pinned to it, and a check that an error never
 * carries key material anywhere a log could print it (message, stack, causes, own fields).
 */
import { SshHost, type SshHostOptions } from '../../../packages/connector-sdk/src/sandbox/host/ssh-host.ts';
import type { Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';

/** An SshHost for the test server, logged in with the authorized client key and the right pin. */
export function sshHostFor(sshd: Sshd, overrides: Partial<SshHostOptions> = {}): SshHost {
  return new SshHost({
    address: sshd.address,
    user: sshd.user,
    privateKey: sshd.clientKey.privateKey,
    hostKey: sshd.hostKey.publicLine,
    connectTimeoutMs: 10_000,
    ...overrides,
  });
}

/** Everything about an error that a logger could serialise, causes included. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    if (cur instanceof Error) parts.push(cur.message, cur.stack ?? '');
    try {
      parts.push(JSON.stringify(cur));
    } catch {
      parts.push(String(cur));
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/** The base64 body lines of an OpenSSH private key: what must never leak. */
export function secretLines(privateKey: string): string[] {
  return privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
}

/** Runs `fn` and returns what it threw (or rejected with); fails if it did not throw. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, got none');
}
