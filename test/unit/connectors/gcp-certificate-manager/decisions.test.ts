/**
 * The pure decisions: owner labels valid for GCP whatever the owner id, the deploy plan for
 * every state the API can report, the leaf fingerprint of a reported chain, readable names,
 * error classification by code and status, and the fetch adapter's response conversion.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyApiError, codeName, GrpcCode, isRetryableStatus, readableName } from '../../../../src/connectors/gcp-certificate-manager/api-errors.ts';
import { LABEL_VALUE } from '../../../../src/connectors/gcp-certificate-manager/config.ts';
import { desiredLabels, isOwnedBy, OWNER_LABEL_KEY, ownerLabelValue } from '../../../../src/connectors/gcp-certificate-manager/labels.ts';
import { leafFingerprint } from '../../../../src/connectors/gcp-certificate-manager/pem-leaf.ts';
import { planDeploy, shouldDelete } from '../../../../src/connectors/gcp-certificate-manager/plan.ts';
import { plainHeaders, toFetchResponse } from '../../../../src/connectors/gcp-certificate-manager/sandbox-transport.ts';
import { DeniedError, ErrorCode } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';

const OWNER = 'C0FFEE-uid/Web Target';
const mine = { [OWNER_LABEL_KEY]: ownerLabelValue(OWNER) };

describe('owner labels', () => {
  it('are valid GCP label values and differ between owners, for any owner id', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 400 }), (x, y) => {
      expect(ownerLabelValue(x)).toMatch(LABEL_VALUE);
      if (x !== y) expect(ownerLabelValue(x)).not.toBe(ownerLabelValue(y));
    }));
  });

  it('desired labels keep others\' labels, apply configured ones, and set the owner label last', () => {
    expect(desiredLabels({ a: '1', [OWNER_LABEL_KEY]: 'forged' }, { a: '2', b: '3' }, OWNER)).toEqual({ a: '2', b: '3', ...mine });
    expect(isOwnedBy(mine, OWNER)).toBe(true);
    expect(isOwnedBy({ [OWNER_LABEL_KEY]: ownerLabelValue('other') }, OWNER)).toBe(false);
    expect(isOwnedBy(null, OWNER)).toBe(false);
  });
});

describe('planDeploy', () => {
  const fp = 'a'.repeat(64);
  const base = { fingerprint: fp, ownerId: OWNER, configuredLabels: { team: 'web' } };
  const ours = (over: object = {}) => ({ labels: { ...mine, team: 'web' }, leafFingerprint: fp, managed: false, ...over });

  it.each([
    ['nothing there', null, { kind: 'create' }],
    ['ours, same leaf and labels', ours(), { kind: 'noop' }],
    ['ours, another leaf', ours({ leafFingerprint: 'b'.repeat(64) }), { kind: 'update', paths: ['self_managed'] }],
    ['ours, unreadable chain', ours({ leafFingerprint: null }), { kind: 'update', paths: ['self_managed'] }],
    ['ours, labels changed', ours({ labels: { ...mine, team: 'shop' } }), { kind: 'update', paths: ['labels'] }],
    ['ours, both changed', ours({ leafFingerprint: 'b'.repeat(64), labels: mine }), { kind: 'update', paths: ['self_managed', 'labels'] }],
    ['unlabelled', ours({ labels: {} }), { kind: 'refuse' }],
    ['another owner', ours({ labels: { [OWNER_LABEL_KEY]: ownerLabelValue('x') } }), { kind: 'refuse' }],
    ['Google-managed', ours({ managed: true }), { kind: 'refuse' }],
  ])('%s', (_what, existing, want) => {
    expect(planDeploy({ ...base, existing })).toMatchObject(want);
  });

  it('deletes only an existing, self-managed certificate of this owner', () => {
    expect(shouldDelete(ours(), OWNER)).toBe(true);
    expect(shouldDelete(null, OWNER)).toBe(false);
    expect(shouldDelete(ours({ managed: true }), OWNER)).toBe(false);
    expect(shouldDelete(ours({ labels: {} }), OWNER)).toBe(false);
  });
});

describe('leafFingerprint', () => {
  it('is the SHA-256 of the first certificate of the chain', async () => {
    const cred = await mintCredential({ intermediates: 2 });
    expect(leafFingerprint(cred.deployment.chainPem.join('\n'))).toBe(cred.deployment.fingerprint);
    expect(leafFingerprint(cred.deployment.chainPem.slice(1).join(''))).toBe(cred.chainFingerprints[1]);
  });

  it('is null for nothing or garbage', () => {
    expect(leafFingerprint(undefined)).toBeNull();
    expect(leafFingerprint('')).toBeNull();
    expect(leafFingerprint('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toBeNull();
  });
});

describe('classification', () => {
  it('names resources in prose that survives redaction', () => {
    expect(readableName('projects/p/locations/global/certificates/web')).toBe('certificate web (project p, location global)');
    expect(readableName('projects/p/locations/us-east1/operations/op-1')).toBe('operation op-1 (project p, location us-east1)');
    expect(readableName('something else')).toBe('something else');
  });

  it('maps gRPC codes and HTTP statuses', () => {
    const err = (code: number) => Object.assign(new Error('boom'), { code });
    expect(classifyApiError(err(GrpcCode.PERMISSION_DENIED), 'get x', 403)).toMatchObject({ retryable: false, message: 'get x failed: PERMISSION_DENIED (7): boom' });
    expect(classifyApiError(err(GrpcCode.UNAVAILABLE), 'get x', 503)).toMatchObject({ retryable: true });
    expect(classifyApiError(new SyntaxError('Unexpected token <'), 'get x', 502)).toMatchObject({ retryable: true, message: 'get x failed: HTTP 502' });
    expect(classifyApiError(new SyntaxError('Unexpected token <'), 'get x', 404)).toMatchObject({ retryable: false });
    expect(classifyApiError(new TypeError('x'), 'get x', 200)).toMatchObject({ code: ErrorCode.Connector, retryable: true });
    const denied = new DeniedError('net.dial', 'x:443', 'not in the dial grant');
    expect(classifyApiError(denied, 'get x', undefined)).toBe(denied);
    expect([408, 409, 429, 500, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404].some(isRetryableStatus)).toBe(false);
    expect(codeName(99)).toBe('CODE (99)');
  });
});

describe('fetch adapter', () => {
  it('converts sandbox responses and header inits', async () => {
    const ok = toFetchResponse({ status: 200, headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode('{"a":1}') });
    expect([ok.ok, ok.status, ok.headers.get('content-type'), await ok.json()]).toEqual([true, 200, 'application/json', { a: 1 }]);
    const empty = toFetchResponse({ status: 204, headers: {}, body: new Uint8Array() });
    expect([empty.ok, empty.status, (await empty.arrayBuffer()).byteLength]).toEqual([true, 204, 0]);
    expect(plainHeaders(new Headers({ 'X-Goog-Api-Client': 'gax/5' }))).toEqual({ 'x-goog-api-client': 'gax/5' });
    expect(plainHeaders({ A: 'b' })).toEqual({ a: 'b' });
  });
});
