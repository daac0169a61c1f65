/**
 * The pure pieces of the azureKeyVault connector: the ownership decision, the tags every
 * version carries, the classification of SDK errors, and the block's validation.
 */
import { describe, expect, it } from 'vitest';
import { classifyAzureError, isRetryableStatus } from '../../../../src/connectors/azure-key-vault/classify-error.ts';
import { azureKeyVaultConfig, OWNER_TAG } from '../../../../src/connectors/azure-key-vault/config.ts';
import { decide, hexThumbprint, versionTags, type CurrentVersion } from '../../../../src/connectors/azure-key-vault/ownership.ts';
import { DeniedError } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';

const THUMB = 'A'.repeat(40);
const ours = (over: Partial<CurrentVersion> = {}): CurrentVersion => ({ tags: { [OWNER_TAG]: 'me' }, thumbprintSha1: THUMB, enabled: true, version: 'v1', ...over });

describe('decide', () => {
  it.each([
    ['nothing there', null, { kind: 'import', why: 'absent' }],
    ['ours, same leaf', ours(), { kind: 'current', version: 'v1' }],
    ['ours, same leaf, lower-case wanted', ours(), { kind: 'current', version: 'v1' }],
    ['ours, another leaf', ours({ thumbprintSha1: 'B'.repeat(40) }), { kind: 'import', why: 'different-certificate' }],
    ['ours, no thumbprint reported', ours({ thumbprintSha1: undefined }), { kind: 'import', why: 'different-certificate' }],
    ['ours, same leaf but disabled', ours({ enabled: false }), { kind: 'import', why: 'disabled' }],
    ['someone else\'s', ours({ tags: { [OWNER_TAG]: 'them' } }), { kind: 'foreign', owner: 'them' }],
    ['untagged', ours({ tags: undefined }), { kind: 'foreign', owner: undefined }],
  ] as const)('%s', (_label, current, expected) => {
    expect(decide(current, _label.includes('lower-case') ? THUMB.toLowerCase() : THUMB, 'me')).toEqual(expected);
  });

  it('hexThumbprint is the uppercase hex of the x5t bytes, undefined when empty', () => {
    expect(hexThumbprint(Uint8Array.from([0x0a, 0xff]))).toBe('0AFF');
    expect(hexThumbprint(new Uint8Array())).toBeUndefined();
    expect(hexThumbprint(undefined)).toBeUndefined();
  });

  it('the owner tag always wins over user tags', () => {
    expect(versionTags({ team: 'x', [OWNER_TAG]: 'forged' }, 'me')).toEqual({ team: 'x', [OWNER_TAG]: 'me' });
  });
});

describe('classifyAzureError', () => {
  const live = new AbortController().signal;
  const ctx = { operation: 'importing certificate web', lastTransportFailure: undefined, signal: live };

  it.each([408, 429, 500, 502, 503, 504])('HTTP %i is retryable', (s) => expect(isRetryableStatus(s)).toBe(true));
  it.each([400, 401, 403, 404, 409, 413])('HTTP %i is terminal', (s) => expect(isRetryableStatus(s)).toBe(false));

  it('reads status and code through wrappers (identity → MSAL ServerError)', () => {
    const msal = Object.assign(new Error('invalid_client'), { name: 'ServerError', errorCode: 'invalid_client', status: 401 });
    const wrapped = Object.assign(new Error('invalid_client: Error(s): 7000215\nmore lines'), { name: 'AuthenticationRequiredError', cause: msal });
    expect(classifyAzureError(wrapped, ctx)).toMatchObject({ retryable: false, message: 'importing certificate web: invalid_client: invalid_client: Error(s): 7000215 (HTTP 401)' });
  });

  it('passes a sandbox error through unchanged, also when MSAL replaced it with its own network error', () => {
    const denied = new DeniedError('net.dial', 'login.microsoftonline.com:443', 'not in the dial grant');
    expect(classifyAzureError(denied, ctx)).toBe(denied);
    const network = Object.assign(new Error('network_error'), { name: 'ClientAuthError', errorCode: 'network_error' });
    expect(classifyAzureError(network, { ...ctx, lastTransportFailure: denied })).toBe(denied);
  });

  it('returns the abort reason once the deploy is aborted', () => {
    const ac = new AbortController();
    const reason = new Error('cancelled');
    ac.abort(reason);
    expect(classifyAzureError(new Error('AbortError'), { ...ctx, signal: ac.signal })).toBe(reason);
  });

  it('credential configuration problems and a mismatched challenge are terminal; unknown errors retryable', () => {
    expect(classifyAzureError(Object.assign(new Error('no env'), { name: 'CredentialUnavailableError' }), ctx)).toMatchObject({ retryable: false });
    expect(classifyAzureError(new Error("The challenge resource 'vault.azure.net' does not match the requested domain."), ctx)).toMatchObject({ retryable: false });
    expect(classifyAzureError(new Error('socket hang up'), ctx)).toMatchObject({ retryable: true });
  });

  it('never quotes more than the first line of a server message, and redacts base64 runs', () => {
    const leak = `bad input ${'QUJD'.repeat(30)}\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----`;
    const e = classifyAzureError(Object.assign(new Error(leak), { statusCode: 400 }), ctx) as Error;
    expect(e.message).not.toContain('QUJDQUJD');
    expect(e.message).not.toContain('PRIVATE KEY');
  });
});

describe('azureKeyVault block', () => {
  const base = { vaultUrl: 'https://my-vault.vault.azure.net', certificateName: 'web-tls' };
  const ok = (extra: Record<string, unknown>) => azureKeyVaultConfig.safeParse({ ...base, ...extra }).success;

  it('accepts the minimal block and every optional field', () => {
    expect(ok({})).toBe(true);
    expect(ok({ vaultUrl: 'https://127.0.0.1:8443/', credentialsRef: { name: 'sp' }, authorityHost: 'https://login.microsoftonline.us', disableChallengeResourceVerification: true, tags: { a: 'b' } })).toBe(true);
    expect(ok({ caBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n' })).toBe(true);
  });

  it.each([
    ['an http vault', { vaultUrl: 'http://my-vault.vault.azure.net' }],
    ['a vault URL with a path', { vaultUrl: 'https://my-vault.vault.azure.net/certificates' }],
    ['a vault URL with userinfo', { vaultUrl: 'https://u:p@my-vault.vault.azure.net' }],
    ['an underscore in the name', { certificateName: 'web_tls' }],
    ['a 128-character name', { certificateName: 'a'.repeat(128) }],
    ['a private key as caBundle', { caBundle: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n' }],
    ['the owner tag', { tags: { [OWNER_TAG]: 'x' } }],
    ['15 user tags', { tags: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`t${i}`, 'v'])) }],
    ['an empty credentialsRef name', { credentialsRef: { name: '' } }],
  ])('refuses %s', (_label, extra) => expect(ok(extra)).toBe(false));
});
