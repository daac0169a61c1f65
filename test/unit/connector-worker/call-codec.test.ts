/**
 * The call codec and the protocol: key material crosses only in a call toward the worker, as an
 * explicit `{ secret }`, and comes back a SecretValue; results carry none; anything off-protocol
 * is refused on either side; traces name kinds and methods only.
 */
import { describe, expect, it } from 'vitest';
import { SecretValue, type Deployment } from '@cert-deployer/connector-sdk';
import { decodeCall, decodeDeployResult, decodeInspectResult, encodeCall } from '../../../src/connector-worker/call-codec.ts';
import { describeMessage, toParentSchema, toWorkerSchema } from '../../../src/sandbox/worker/protocol.ts';
import { sandboxArgs } from '../../../src/sandbox/worker/sandbox-wire.ts';
import { fromWireError, toWireError } from '../../../src/sandbox/worker/worker-errors.ts';
import { DeniedError, ErrorCode, isDenied } from '@cert-deployer/connector-sdk';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const deployment: Deployment = {
  fingerprint: 'ab'.repeat(32), certificatePem: 'CERT', chainPem: ['CERT', 'INT'], privateKey: new SecretValue(KEY),
  keyAlgorithm: 'ecdsa-p256', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-04-01T00:00:00Z'), dnsNames: ['a.example'],
};
const context = { ownerId: 'uid/t', remoteId: 'arn:x', allowAmbientIdentity: false, secrets: new Map([['creds', { token: new SecretValue('tok-123') }]]) };

describe('call codec: inspect', () => {
  it('carries the expected fingerprint and no deployment (no key) toward the worker', () => {
    const wire = structuredClone(encodeCall({ op: 'inspect', connector: 'nginx', config: {}, context: { ownerId: 'uid/t' }, fingerprint: 'cd'.repeat(32) }));
    expect(wire).not.toHaveProperty('deployment');
    expect(decodeCall(wire)).toMatchObject({ op: 'inspect', fingerprint: 'cd'.repeat(32), deployment: undefined });
    expect(() => decodeCall({ ...wire, fingerprint: 'not-hex' })).toThrow();
  });

  it('accepts only public facts back: a fingerprint, dates and a message', () => {
    expect(decodeInspectResult({ active: { fingerprint: 'ab'.repeat(32), notAfter: '2027-01-01T00:00:00Z' }, expectedInstalled: false, message: 'x' })).toEqual({ active: { fingerprint: 'ab'.repeat(32), notAfter: '2027-01-01T00:00:00Z' }, expectedInstalled: false, message: 'x' });
    expect(decodeInspectResult({ active: null })).toEqual({ active: null });
    expect(() => decodeInspectResult({ active: { fingerprint: 'ab'.repeat(32), pem: KEY } })).toThrow();
    expect(() => decodeInspectResult({ active: null, key: KEY })).toThrow();
  });
});

describe('call codec', () => {
  it('round-trips a deploy call through structured clone, key material wrapped again on arrival', () => {
    const wire = structuredClone(encodeCall({ op: 'deploy', connector: 'file', config: { a: 1 }, deployment, context }));
    const call = decodeCall(wire);
    expect(call.deployment?.privateKey).toBeInstanceOf(SecretValue);
    expect(call.deployment?.privateKey.reveal()).toBe(KEY);
    expect(call.deployment?.notAfter).toEqual(deployment.notAfter);
    expect(call.context.secrets?.get('creds')?.token?.reveal()).toBe('tok-123');
    expect(JSON.stringify(call)).not.toContain('MIGHAgEA');
    expect(call).toMatchObject({ op: 'deploy', connector: 'file', config: { a: 1 }, context: { ownerId: 'uid/t', remoteId: 'arn:x' } });
  });

  it('encodes key material only as an explicit { secret } field', () => {
    const wire = encodeCall({ op: 'deploy', connector: 'file', config: {}, deployment, context });
    expect(wire.deployment?.privateKey).toEqual({ secret: KEY });
    expect(JSON.stringify({ ...wire, deployment: { ...wire.deployment, privateKey: '[cut]' }, context: { ...wire.context, secrets: '[cut]' } })).not.toContain('MIGHAgEA');
  });

  it('refuses a call with unknown fields or a bare string key', () => {
    const wire = encodeCall({ op: 'deploy', connector: 'file', config: {}, deployment, context });
    expect(() => decodeCall({ ...wire, extra: 1 })).toThrow();
    expect(() => decodeCall({ ...wire, deployment: { ...wire.deployment, privateKey: KEY } })).toThrow();
  });

  it('accepts only the plain DeployResult shape back', () => {
    expect(decodeDeployResult({ changed: true, remoteId: 'x', message: 'ok' })).toEqual({ changed: true, remoteId: 'x', message: 'ok' });
    expect(() => decodeDeployResult({ changed: 'yes' })).toThrow();
    expect(() => decodeDeployResult({ changed: true, privateKey: KEY })).toThrow();
  });
});

describe('protocol', () => {
  it('refuses another version and unknown kinds on both sides', () => {
    expect(toParentSchema.safeParse({ v: 2, t: 'ready' }).success).toBe(false);
    expect(toParentSchema.safeParse({ v: 1, t: 'spawn' }).success).toBe(false);
    expect(toParentSchema.safeParse({ v: 1, t: 'sandbox', id: 1, call: 0, method: 'chmod', args: [] }).success).toBe(false);
    expect(toWorkerSchema.safeParse({ v: 1, t: 'call', id: 0, grant: { read: [], write: [], dial: [], exec: [] }, aborted: false, payload: {} }).success).toBe(true);
    expect(toWorkerSchema.safeParse({ v: 1, t: 'call', id: 0, grant: { read: ['/'], write: [], dial: [] }, aborted: false, payload: {} }).success).toBe(false);
  });

  it('checks each Sandbox request\'s arguments in the parent', () => {
    expect(sandboxArgs.writeFile.safeParse(['/etc/x', new Uint8Array([1]), { mode: 0o600 }]).success).toBe(true);
    expect(sandboxArgs.writeFile.safeParse(['/etc/x', 42, {}]).success).toBe(false);
    expect(sandboxArgs.exec.safeParse([['/bin/sh', 1], {}]).success).toBe(false);
    expect(sandboxArgs.exec.safeParse(['/bin/sh -c x', {}]).success).toBe(false);
  });

  it('traces kinds, ids and methods, never arguments or values', () => {
    const lines = [
      describeMessage('→', { v: 1, t: 'call', id: 3, grant: { read: [], write: [], dial: [], exec: [] }, aborted: false, payload: encodeCall({ op: 'deploy', connector: 'file', config: {}, deployment, context }) }),
      describeMessage('←', { v: 1, t: 'sandbox', id: 7, call: 3, method: 'writeFile', args: ['/k.pem', KEY, {}] }),
      describeMessage('→', { v: 1, t: 'reply', id: 7, outcome: { ok: true, value: { previous: new TextEncoder().encode(KEY) } } }),
    ];
    expect(lines).toEqual(['→ call #3', '← sandbox #7 writeFile (call #3)', '→ reply #7 ok']);
  });
});

describe('errors across the channel', () => {
  it('a denial comes back as a denial (isDenied, code, subject), a plain error as a plain error', () => {
    const back = fromWireError(structuredClone(toWireError(new DeniedError('file.write', '/etc/x', 'outside the write roots'))));
    expect(isDenied(back)).toBe(true);
    expect(back).toMatchObject({ code: ErrorCode.Denied, subject: '/etc/x', capability: 'file.write', retryable: false });
    const plain = fromWireError(toWireError(new TypeError('boom')));
    expect(plain).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect((plain as { code?: string }).code).toBeUndefined();
  });

  it('Node\'s ERR_ACCESS_DENIED, even as a cause, becomes CD_ERR_CONFINED naming the permission', () => {
    const denied = Object.assign(new Error('Access to this API has been restricted'), { code: 'ERR_ACCESS_DENIED', permission: 'Net', resource: '' });
    const w = toWireError(new TypeError('fetch failed', { cause: denied }));
    expect(w).toMatchObject({ code: ErrorCode.Confined, retryable: false, permission: 'Net' });
    expect(w.message).toContain('confined: the connector tried Net');
  });
});
