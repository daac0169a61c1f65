/** Pure pieces of the f5BigIp connector: object names and ownership, fingerprint parsing, the profile plan, chunking, error mapping. */
import { describe, expect, it } from 'vitest';
import { httpError, isRetryableStatus } from '../../../../src/connectors/f5-big-ip/http-errors.ts';
import { fullPath, isOwnedObject, objectNames, ownerHash, parseBigIpFingerprint, urlPath } from '../../../../src/connectors/f5-big-ip/object-names.ts';
import { planProfile } from '../../../../src/connectors/f5-big-ip/profile-plan.ts';
import { chunkRanges, MAX_CHUNK_BYTES } from '../../../../src/connectors/f5-big-ip/upload.ts';

const FP = 'ab'.repeat(32);
const res = (status: number, body: unknown) => ({ status, headers: {}, body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)) });

describe('object names', () => {
  it('carry prefix, owner hash and fingerprint; differ per owner; are stable', () => {
    const a = objectNames('certdeployer', 'uid-1/web', FP);
    expect(a).toEqual({ ownerPrefix: `certdeployer-${ownerHash('uid-1/web')}-`, cert: `certdeployer-${ownerHash('uid-1/web')}-abababababab.crt`, key: `certdeployer-${ownerHash('uid-1/web')}-abababababab.key`, chain: `certdeployer-${ownerHash('uid-1/web')}-abababababab-chain.crt` });
    expect(objectNames('certdeployer', 'uid-1/web', FP)).toEqual(a);
    expect(objectNames('certdeployer', 'uid-2/web', FP).cert).not.toBe(a.cert);
    expect(ownerHash('x')).toMatch(/^[0-9a-f]{8}$/);
  });

  it('ownership needs the partition and the owner prefix at the start of the name', () => {
    const p = objectNames('certdeployer', 'o', FP).ownerPrefix;
    expect(isOwnedObject(`/Common/${p}x.crt`, 'Common', p)).toBe(true);
    expect(isOwnedObject(`/Other/${p}x.crt`, 'Common', p)).toBe(false);
    expect(isOwnedObject(`/Common/a${p}x.crt`, 'Common', p)).toBe(false);
    expect(isOwnedObject(`/Common/certdeployer-00000000-x.crt`, 'Common', p)).toBe(false);
    expect(isOwnedObject(`/Common/sub/${p}x.crt`, 'Common', p)).toBe(false);
    expect(fullPath('Common', 'n')).toBe('/Common/n');
    expect(urlPath('/Common/n')).toBe('~Common~n');
  });

  it('parses BIG-IP SHA-256 fingerprints and nothing else', () => {
    const colon = FP.toUpperCase().match(/../g)?.join(':');
    expect(parseBigIpFingerprint(`SHA256/${colon}`)).toBe(FP);
    expect(parseBigIpFingerprint(`SHA1/${colon}`)).toBeNull();
    expect(parseBigIpFingerprint('SHA256/AB:CD')).toBeNull();
    expect(parseBigIpFingerprint(undefined)).toBeNull();
  });
});

describe('planProfile', () => {
  const desired = { cert: '/Common/n.crt', key: '/Common/n.key', chain: '/Common/n-chain.crt' };

  it('is current when the entry references exactly the desired objects', () => {
    expect(planProfile({ certKeyChain: [{ name: 'e', ...desired, certReference: { link: 'x' } }] }, desired, '/Common/p')).toEqual({ kind: 'current', entryName: 'e' });
    expect(planProfile({ certKeyChain: [{ name: 'e', ...desired, chain: 'none' }] }, desired, '/Common/p').kind).toBe('swap');
    expect(planProfile({ certKeyChain: [{ name: 'e', ...desired, chain: 'none' }] }, { ...desired, chain: null }, '/Common/p').kind).toBe('current');
  });

  it('swaps cert, key and chain of the entry, keeps its settings, drops links and the old passphrase, keeps other entries', () => {
    const profile = {
      certKeyChain: [
        { name: 'rsa', cert: '/Common/r.crt', key: '/Common/r.key', certReference: { link: 'l' }, passphrase: '$M$x' },
        { name: 'ec', cert: '/Common/old.crt', key: '/Common/old.key', chain: '/Common/old-chain.crt', ocspStapling: 'enabled', keyReference: { link: 'l' }, passphrase: '$M$y' },
      ],
    };
    expect(planProfile(profile, desired, '/Common/p', 'ec')).toEqual({
      kind: 'swap',
      entryName: 'ec',
      certKeyChain: [
        { name: 'rsa', cert: '/Common/r.crt', key: '/Common/r.key', passphrase: '$M$x' },
        { name: 'ec', ocspStapling: 'enabled', ...desired },
      ],
      previous: ['/Common/old.crt', '/Common/old.key', '/Common/old-chain.crt'],
    });
  });

  it('clears an old chain when there is none now, and adds an entry to an empty profile', () => {
    const p = planProfile({ certKeyChain: [{ name: 'd', cert: '/Common/a', key: '/Common/b', chain: '/Common/c' }] }, { ...desired, chain: null }, '/Common/p');
    expect(p).toMatchObject({ kind: 'swap', certKeyChain: [{ name: 'd', cert: desired.cert, key: desired.key, chain: 'none' }] });
    expect(planProfile({ certKeyChain: [] }, desired, '/Common/p')).toMatchObject({ kind: 'swap', entryName: 'default', certKeyChain: [{ name: 'default', ...desired }], previous: [] });
    expect(planProfile({}, { ...desired, chain: null }, '/Common/p')).toMatchObject({ certKeyChain: [{ name: 'default', cert: desired.cert, key: desired.key }] });
  });

  it('refuses ambiguous and malformed profiles', () => {
    const two = { certKeyChain: [{ name: 'a' }, { name: 'b' }] };
    expect(() => planProfile(two, desired, '/Common/p')).toThrow(/2 certKeyChain entries/);
    expect(() => planProfile(two, desired, '/Common/p', 'c')).toThrow(/no certKeyChain entry named "c"/);
    expect(() => planProfile({ certKeyChain: 'x' }, desired, '/Common/p')).toThrow(/not a list/);
  });
});

describe('uploads and errors', () => {
  it('chunks at the 1 MB limit with inclusive ranges', () => {
    expect(chunkRanges(5)).toEqual([[0, 4]]);
    expect(chunkRanges(MAX_CHUNK_BYTES)).toEqual([[0, MAX_CHUNK_BYTES - 1]]);
    expect(chunkRanges(MAX_CHUNK_BYTES * 2 + 1)).toEqual([[0, MAX_CHUNK_BYTES - 1], [MAX_CHUNK_BYTES, 2 * MAX_CHUNK_BYTES - 1], [2 * MAX_CHUNK_BYTES, 2 * MAX_CHUNK_BYTES]]);
  });

  it('maps statuses: 401/403/4xx terminal, 408/429/5xx retryable, and quotes the server message redacted', () => {
    expect([400, 401, 403, 404, 409].map(isRetryableStatus)).toEqual([false, false, false, false, false]);
    expect([408, 429, 500, 503].map(isRetryableStatus)).toEqual([true, true, true, true]);
    const pem = `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(64)}\n-----END PRIVATE KEY-----`;
    const e = httpError('commit', res(400, { code: 400, message: `bad key ${pem}` }));
    expect(e).toMatchObject({ retryable: false, message: 'commit: BIG-IP answered HTTP 400: bad key [REDACTED PEM]' });
    expect(httpError('x', res(503, '<html>down</html>'))).toMatchObject({ retryable: true, message: 'x: BIG-IP answered HTTP 503: <html>down</html>' });
    expect(httpError('x', res(401, {})).message).toMatch(/credentials Secret/);
  });
});
