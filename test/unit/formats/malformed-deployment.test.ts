/**
 * Hand-built Deployments that break the contract: every helper answers with a terminal
 * `FormatError` carrying a stable reason and naming the field, and no error surface (message,
 * stack, inspect, JSON) contains key material — including a key pasted into the wrong field.
 */
import { inspect } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { ConnectorError } from '../../../packages/connector-sdk/src/connector-error.ts';
import { SecretValue, type Deployment } from '../../../packages/connector-sdk/src/deployment.ts';
import {
  FormatError,
  FormatErrorReason,
  isFormatError,
  thumbprintSha1,
  toCombinedPem,
  toDerCertificate,
  toPkcs1Pem,
  toPkcs12,
  toPkcs8Pem,
  toSec1Pem,
} from '../../../packages/connector-sdk/src/formats/index.ts';
import { DeniedError, ErrorCode, hasCode } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import { keyMaterialLeaks, toEncryptedPkcs8Pem } from '../../support/certs/index.ts';
import { fixture, type Fixture } from './fixtures.ts';

let rsa: Fixture;
let ec: Fixture;
beforeAll(async () => {
  [rsa, ec] = await Promise.all([fixture('rsa'), fixture('ecdsa-p256')]);
}, 60_000);

const HELPERS: ReadonlyArray<[string, (dep: Deployment) => unknown]> = [
  ['toPkcs8Pem', toPkcs8Pem],
  ['toPkcs1Pem', toPkcs1Pem],
  ['toSec1Pem', toSec1Pem],
  ['toCombinedPem', (dep) => toCombinedPem(dep)],
  ['toPkcs12', (dep) => toPkcs12(dep, { password: 'pw' })],
  ['toDerCertificate', toDerCertificate],
  ['thumbprintSha1', thumbprintSha1],
];

function failure(run: () => unknown): FormatError {
  try {
    run();
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw new Error(`expected a FormatError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a FormatError, nothing was thrown');
}

function errorSurfaces(err: Error): string[] {
  return [err.message, String(err.stack), inspect(err, { depth: Infinity, showHidden: true }), JSON.stringify(err)];
}

/** Flips one character in the middle of the key's base64 body: still PEM-shaped, no longer a key. */
function corrupt(pem: string): string {
  const lines = pem.split('\n');
  const at = Math.floor(lines.length / 2);
  const line = lines[at] as string;
  lines[at] = (line[0] === 'A' ? 'B' : 'A') + line.slice(1, 10) + '!' + line.slice(11);
  return lines.join('\n');
}

test('a private key pasted into certificatePem is MalformedDeployment and its lines appear nowhere', () => {
  const dep = { ...rsa.dep, certificatePem: rsa.chain.keyPem };
  for (const [name, run] of HELPERS.filter(([n]) => !['toPkcs8Pem', 'toPkcs1Pem', 'toSec1Pem'].includes(n))) {
    const err = failure(() => run(dep));
    expect(err.reason, name).toBe(FormatErrorReason.MalformedDeployment);
    expect(err.message).toContain('certificatePem');
    expect(keyMaterialLeaks(errorSurfaces(err), [rsa.chain.keyPem]), name).toEqual([]);
  }
});

test('a corrupted, an encrypted, a non-PEM and a bare-string key are MalformedDeployment without leaking', () => {
  const keys: unknown[] = [
    new SecretValue(corrupt(ec.chain.keyPem)),
    new SecretValue(toEncryptedPkcs8Pem(ec.chain.keyPem)),
    new SecretValue('not a key at all'),
    ec.chain.keyPem, // contract violation: not wrapped
    undefined,
  ];
  for (const privateKey of keys) {
    const dep = { ...ec.dep, privateKey } as unknown as Deployment;
    for (const [name, run] of HELPERS.filter(([n]) => !['toDerCertificate', 'thumbprintSha1'].includes(n))) {
      const err = failure(() => run(dep));
      expect(err.reason, name).toBe(FormatErrorReason.MalformedDeployment);
      expect(err.message).toMatch(/privateKey/);
      expect(err.cause).toBeUndefined();
      expect(keyMaterialLeaks(errorSurfaces(err), [ec.chain.keyPem]), name).toEqual([]);
      const surfaces = errorSurfaces(err).join('\n');
      for (const line of corrupt(ec.chain.keyPem).split('\n').filter((l) => l.length > 40)) expect(surfaces).not.toContain(line);
    }
  }
});

test('a key from another chain is KeyMismatch for the bundles, naming the leaf, leaking neither key', () => {
  const dep = { ...ec.dep, privateKey: rsa.dep.privateKey };
  for (const run of [() => toCombinedPem(dep), () => toPkcs12(dep, { password: 'pw' })]) {
    const err = failure(run);
    expect(err.reason).toBe(FormatErrorReason.KeyMismatch);
    expect(err.message).toContain('CN=example.test');
    expect(keyMaterialLeaks(errorSurfaces(err), [ec.chain.keyPem, rsa.chain.keyPem])).toEqual([]);
  }
});

test('a chain entry that is not a certificate is reported by index', () => {
  const dep = { ...ec.dep, chainPem: [ec.dep.chainPem[0], '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'] } as unknown as Deployment;
  expect(failure(() => toCombinedPem(dep)).message).toMatch(/chainPem\[1\] is not a valid X\.509 certificate/);
  expect(failure(() => toPkcs12({ ...ec.dep, chainPem: 'x' } as unknown as Deployment, { password: 'pw' })).message).toMatch(/chainPem is not an array/);
});

test('FormatError is a terminal ConnectorError with a stable code and its own brand', () => {
  const err = failure(() => toPkcs1Pem(ec.dep));
  expect(err).toBeInstanceOf(ConnectorError);
  expect(hasCode(err, ErrorCode.Connector)).toBe(true);
  expect(err.retryable).toBe(false);
  expect(err.name).toBe('FormatError');
  expect(isFormatError(err, FormatErrorReason.UnsupportedKeyType)).toBe(true);
  expect(isFormatError(err, FormatErrorReason.KeyMismatch)).toBe(false);
  // other branded errors are not FormatErrors, even though they share the base brand
  expect(new DeniedError('exec', '/bin/true', 'not granted') instanceof FormatError).toBe(false);
  expect(isFormatError(new ConnectorError('x'))).toBe(false);
});
