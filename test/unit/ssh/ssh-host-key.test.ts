import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import {
  blobKeyType,
  fingerprintOf,
  hostKeyAlgorithmsFor,
  hostKeyMatches,
  hostKeyMismatchError,
  knownHostLine,
  parseHostKey,
} from '../../../packages/connector-sdk/src/sandbox/host/ssh-host-key.ts';
import { parseAddress, resolveTarget } from '../../../packages/connector-sdk/src/sandbox/host/ssh-options.ts';
import { generateKey, sshKeygenFingerprint, type KeyPair } from '../../../packages/connector-sdk/src/testing/ssh-keys.ts';

let dir: string;
let ed: KeyPair;
let ed2: KeyPair;
let ecdsa: KeyPair;
let rsa: KeyPair;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-hostkey-'));
  [ed, ed2, ecdsa, rsa] = await Promise.all([
    generateKey(dir, 'ed', 'ed25519'),
    generateKey(dir, 'ed2', 'ed25519'),
    generateKey(dir, 'ecdsa', 'ecdsa'),
    generateKey(dir, 'rsa', 'rsa'),
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('parseHostKey', () => {
  it('fingerprints every supported key type exactly like ssh-keygen -l', async () => {
    for (const key of [ed, ecdsa, rsa]) {
      expect(parseHostKey(key.publicLine).fingerprint).toBe(await sshKeygenFingerprint(key.publicPath));
    }
  });

  it('accepts the line with or without comment and with a leading known_hosts host field', () => {
    const [type, b64] = ed.publicLine.split(' ');
    const want = parseHostKey(ed.publicLine).blob;
    expect(parseHostKey(`${type} ${b64}`).blob.equals(want)).toBe(true);
    expect(parseHostKey(`edge-1.internal,10.0.0.1 ${type} ${b64}`).blob.equals(want)).toBe(true);
    expect(parseHostKey(`  ${type}\t${b64}  \n`).blob.equals(want)).toBe(true);
  });

  it('offers only the pinned type as host key algorithm (RSA with SHA-2 signatures only)', () => {
    expect(hostKeyAlgorithmsFor(parseHostKey(ed.publicLine))).toEqual(['ssh-ed25519']);
    expect(hostKeyAlgorithmsFor(parseHostKey(ecdsa.publicLine))).toEqual(['ecdsa-sha2-nistp256']);
    expect(hostKeyAlgorithmsFor(parseHostKey(rsa.publicLine))).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
  });

  it('rejects malformed pins with CD_ERR_HOST_KEY_MISMATCH and a useful message', () => {
    const [, edB64] = ed.publicLine.split(' ');
    const [, ecB64] = ecdsa.publicLine.split(' ');
    const cases: Array<[string, RegExp]> = [
      ['', /supported key type/],
      ['AAAAC3NzaC1lZDI1NTE5', /supported key type/],
      ['ssh-dss AAAAB3NzaC1kc3M=', /supported key type/],
      ['ssh-ed25519', /not valid base64/],
      ['ssh-ed25519 not*base64', /not valid base64/],
      [`ssh-ed25519 ${ecB64}`, /of type "ecdsa-sha2-nistp256", not "ssh-ed25519"/],
      [`ssh-ed25519 ${edB64?.slice(0, 8)}`, /of type "unknown"/],
    ];
    for (const [line, msg] of cases) {
      const err = thrown(() => parseHostKey(line));
      expect(hasCode(err, 'CD_ERR_HOST_KEY_MISMATCH'), line).toBe(true);
      expect((err as Error).message).toMatch(msg);
    }
  });

  it('does not echo a long first field (it could be pasted key material)', () => {
    const err = thrown(() => parseHostKey(ed.privateKey)) as Error;
    expect(err.message).not.toContain(ed.privateKey.split('\n')[1]);
  });
});

describe('matching and reporting', () => {
  it('matches only the identical blob', () => {
    const pin = parseHostKey(ed.publicLine);
    expect(hostKeyMatches(pin, parseHostKey(ed.publicLine).blob)).toBe(true);
    expect(hostKeyMatches(pin, parseHostKey(ed2.publicLine).blob)).toBe(false);
    expect(hostKeyMatches(pin, parseHostKey(rsa.publicLine).blob)).toBe(false);
    expect(hostKeyMatches(pin, pin.blob.subarray(0, pin.blob.length - 1))).toBe(false);
  });

  it('the mismatch error names both fingerprints and no key bytes', async () => {
    const expected = parseHostKey(ed.publicLine);
    const got = parseHostKey(ed2.publicLine);
    const err = hostKeyMismatchError('root@h:22', expected.fingerprint, fingerprintOf(got.blob));
    expect(err.code).toBe('CD_ERR_HOST_KEY_MISMATCH');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(await sshKeygenFingerprint(ed.publicPath));
    expect(err.message).toContain(await sshKeygenFingerprint(ed2.publicPath));
    expect(err.message).not.toContain(ed.publicLine.split(' ')[1]);
    expect(err.message).not.toContain(ed2.publicLine.split(' ')[1]);
  });

  it('knownHostLine reproduces the TYPE BASE64 part of the public key line', () => {
    for (const key of [ed, ecdsa, rsa]) {
      const blob = parseHostKey(key.publicLine).blob;
      expect(knownHostLine(blob)).toBe(key.publicLine.split(' ').slice(0, 2).join(' '));
      expect(blobKeyType(blob)).toBe(key.publicLine.split(' ')[0]);
    }
    expect(blobKeyType(Buffer.from([0, 0, 0, 200, 1]))).toBeNull();
  });
});

describe('resolveTarget', () => {
  const base = { address: '127.0.0.1:22', user: 'deploy', privateKey: 'x' };

  it('parses host:port and bracketed IPv6', () => {
    expect(parseAddress('edge-1.internal:2222')).toEqual({ host: 'edge-1.internal', port: 2222 });
    expect(parseAddress('[::1]:22')).toEqual({ host: '::1', port: 22 });
    for (const bad of ['edge', 'edge:', 'edge:0', 'edge:65536', '::1:22', 'a b:22', 'user@edge:22']) {
      expect(hasCode(thrown(() => parseAddress(bad)), 'CD_ERR_CONNECTOR'), bad).toBe(true);
    }
  });

  it('requires a pin unless trust on first use is explicitly true', () => {
    for (const opts of [{}, { trustOnFirstUse: false }, { hostKey: '' }]) {
      const err = thrown(() => resolveTarget({ ...base, ...opts }));
      expect(hasCode(err, 'CD_ERR_HOST_KEY_MISMATCH')).toBe(true);
      expect((err as Error).message).toMatch(/no hostKey pinned/);
    }
    expect(resolveTarget({ ...base, trustOnFirstUse: true }).pin).toBeNull();
    expect(resolveTarget({ ...base, hostKey: ed.publicLine, trustOnFirstUse: true }).pin?.fingerprint).toBe(
      parseHostKey(ed.publicLine).fingerprint,
    );
  });

  it('builds the label and rejects odd user names', () => {
    expect(resolveTarget({ ...base, address: '[::1]:22', hostKey: ed.publicLine }).label).toBe('deploy@[::1]:22');
    for (const user of ['', '-oProxyCommand=x', 'a b', 'root;id']) {
      expect(hasCode(thrown(() => resolveTarget({ ...base, user, hostKey: ed.publicLine })), 'CD_ERR_CONNECTOR'), user).toBe(true);
    }
  });
});
