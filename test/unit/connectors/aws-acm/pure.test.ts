/** Pure decisions of the awsAcm connector: error classification and import material. */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { acmError, awsErrorFacts, isRetryable } from '../../../../src/connectors/aws-acm/acm-errors.ts';
import { acmPrivateKey, certificateFingerprints, holdsDeployment, publicMaterial } from '../../../../src/connectors/aws-acm/import-material.ts';
import { isAcmArn } from '../../../../src/connectors/aws-acm/find-owned.ts';
import { DeniedError, ErrorCode, type CertDeployerError } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { keyMaterialLeaks } from '../../../support/certs/index.ts';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status, requestId: 'r-1' }, ...extra });

describe('error classification', () => {
  it.each([
    ['ThrottlingException', 400, true], ['RequestInProgressException', 400, true], ['ResourceInUseException', 400, true],
    ['InternalFailure', 500, true], ['Whatever', 503, true], ['Whatever', 429, true], ['Whatever', undefined, true],
    ['AccessDeniedException', 400, false], ['UnrecognizedClientException', 400, false], ['InvalidSignatureException', 400, false],
    ['ValidationException', 400, false], ['LimitExceededException', 400, false], ['ExpiredTokenException', 400, false],
    ['CredentialsProviderError', undefined, false], ['Whatever', 404, false],
  ] as const)('%s (HTTP %s) retryable: %s', (name, status, want) => {
    expect(isRetryable(awsErrorFacts(sdkError(name, status)))).toBe(want);
  });

  it('the SDK\'s own retryable mark wins over a 4xx', () => {
    expect(isRetryable(awsErrorFacts(sdkError('Odd', 400, { $retryable: { throttling: true } })))).toBe(true);
  });

  it('sandbox errors pass through unchanged; SDK errors become ConnectorErrors without a cause', () => {
    const denied = new DeniedError('net.dial', 'x:1', 'no');
    expect(acmError(denied, 'ImportCertificate')).toBe(denied);
    const e = acmError(sdkError('ValidationException', 400), 'ImportCertificate') as CertDeployerError;
    expect(e).toMatchObject({ code: ErrorCode.Connector, retryable: false, message: 'ACM ImportCertificate failed: ValidationException: ValidationException happened (HTTP 400, request id r-1)' });
    expect(e.cause).toBeUndefined();
    expect(acmError('a string', 'GetCertificate')).toMatchObject({ retryable: true, message: 'ACM GetCertificate failed: Error: a string' });
  });

  it('redacts PEM blocks an error message might quote', async () => {
    const cred = await mintCredential();
    const e = acmError(sdkError('ValidationException', 400, { message: `bad key ${cred.keyPem}` }), 'ImportCertificate');
    expect(keyMaterialLeaks([e.message, inspect(e), JSON.stringify(e)], [cred.keyPem])).toEqual([]);
  });
});

describe('import material', () => {
  it('RSA keys go as PKCS#1, ECDSA keys as SEC1, each the Deployment\'s own key', async () => {
    for (const [alg, label] of [['rsa', 'RSA PRIVATE KEY'], ['ecdsa-p256', 'EC PRIVATE KEY'], ['ecdsa-p384', 'EC PRIVATE KEY']] as const) {
      const cred = await mintCredential({ keyAlgorithm: alg });
      const pem = acmPrivateKey(cred.deployment).reveal();
      expect(pem.startsWith(`-----BEGIN ${label}-----`), alg).toBe(true);
      const spki = (k: string) => createPublicKey(createPrivateKey(k)).export({ type: 'spki', format: 'der' }).toString('hex');
      expect(spki(pem)).toBe(spki(cred.keyPem));
      expect(String(acmPrivateKey(cred.deployment))).toBe('[REDACTED]');
    }
  });

  it('Ed25519 is refused, terminal', async () => {
    const cred = await mintCredential({ keyAlgorithm: 'ed25519' });
    expect(() => acmPrivateKey(cred.deployment)).toThrow(expect.objectContaining({ retryable: false, code: ErrorCode.Connector }));
  });

  it('the chain excludes the leaf (ACM: do not copy your certificate into the chain)', async () => {
    const cred = await mintCredential({ intermediates: 2, withRoot: true });
    const m = publicMaterial(cred.deployment);
    expect(certificateFingerprints(m.certificate)).toEqual(cred.chainFingerprints.slice(0, 1));
    expect(certificateFingerprints(m.chain ?? '')).toEqual(cred.chainFingerprints.slice(1));
    expect(publicMaterial({ ...cred.deployment, chainPem: cred.deployment.chainPem.slice(0, 1) }).chain).toBeUndefined();
  });

  it('ACM holds the deployment when the leaf matches and the chain starts with ours', async () => {
    const [a, b] = await Promise.all([mintCredential({ intermediates: 2 }), mintCredential()]);
    const [leaf, ...rest] = a.deployment.chainPem;
    const stored = { certificate: leaf ?? '', chain: [...rest, ...b.deployment.chainPem.slice(-1)].join('\n') };
    expect(holdsDeployment(stored, a.deployment)).toBe(true);
    expect(holdsDeployment({ ...stored, chain: rest.slice(1).join('') }, a.deployment)).toBe(false);
    expect(holdsDeployment({ ...stored, certificate: b.deployment.certificatePem }, a.deployment)).toBe(false);
    expect(holdsDeployment({ certificate: 'garbage', chain: '' }, a.deployment)).toBe(false);
  });

  it('recognises ACM ARNs only', () => {
    expect(isAcmArn('arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab')).toBe(true);
    expect(isAcmArn('arn:aws-cn:acm:cn-north-1:123456789012:certificate/x-1')).toBe(true);
    for (const bad of [undefined, '', 'arn:aws:iam::123456789012:role/x', 'arn:aws:acm:us-east-1:123:certificate/x']) expect(isAcmArn(bad)).toBe(false);
  });
});
