/**
 * A parsed Deployment travels through logs, status and Events; only `privateKey.reveal()`
 * may yield the key. Checked for every accepted key type and container, with the check's
 * own sensitivity proven on the revealed key.
 */
import { createPrivateKey } from 'node:crypto';
import { inspect, format } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { parseTlsSecret } from '../../../packages/connector-sdk/src/credential/index.ts';
import type { Deployment } from '../../../packages/connector-sdk/src/deployment.ts';
import { keyMaterialLeaks, mintChain, toPkcs1Pem, toSec1Pem, withKeyBagAttributes, type MintedChain } from '../../support/certs/index.ts';

let chains: MintedChain[];
beforeAll(async () => {
  chains = await Promise.all((['rsa', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const).map((keyAlgorithm) => mintChain({ keyAlgorithm })));
});

function surfaces(d: Deployment): string[] {
  return [
    JSON.stringify(d),
    JSON.stringify(d, null, 2),
    inspect(d, { depth: Infinity, showHidden: true }),
    format('%o %O %s %j', d, d, d, d),
    String(d.privateKey),
    `${d.privateKey}`,
    JSON.stringify({ ...d }),
    JSON.stringify(Object.entries(d)),
  ];
}

test('no line of the private key appears when a Deployment is serialised or inspected', () => {
  for (const c of chains) {
    const inputs = [c.keyPem, withKeyBagAttributes(c.keyPem)];
    if (createPrivateKey(c.keyPem).asymmetricKeyType === 'rsa') inputs.push(toPkcs1Pem(c.keyPem));
    for (const key of inputs) {
      const d = parseTlsSecret({ 'tls.crt': c.chainPem.join(''), 'tls.key': key }, { now: new Date() });
      expect(keyMaterialLeaks(surfaces(d), [c.keyPem])).toEqual([]);
      expect(JSON.parse(JSON.stringify(d)).privateKey).toBe('[REDACTED]');
      // the same check finds the key where it legitimately is: the check can fail
      expect(keyMaterialLeaks([d.privateKey.reveal()], [c.keyPem]).length).toBeGreaterThan(0);
    }
  }
});

test('SEC1 input: the original encoding lines do not leak either', () => {
  const c = chains[1] as MintedChain;
  const sec1 = toSec1Pem(c.keyPem, { withParameters: true });
  const d = parseTlsSecret({ 'tls.crt': c.chainPem.join(''), 'tls.key': sec1 }, { now: new Date() });
  expect(keyMaterialLeaks(surfaces(d), [sec1.slice(sec1.indexOf('-----BEGIN EC PRIVATE KEY'))])).toEqual([]);
});
