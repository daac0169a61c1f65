/** Node's subjectAltName text format and the quirks the parser must handle. */
import { X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { describeSubject, dnsNamesOf, parseSubjectAltName } from '../../../packages/connector-sdk/src/credential/index.ts';
import { mintChain } from '../../support/certs/index.ts';

describe('parseSubjectAltName', () => {
  const cases: Array<[string, Array<[string, string]>]> = [
    ['', []],
    ['DNS:a.example', [['DNS', 'a.example']]],
    ['DNS:a.example, IP Address:192.0.2.1, DNS:*.b.example', [['DNS', 'a.example'], ['IP Address', '192.0.2.1'], ['DNS', '*.b.example']]],
    ['DNS:"we\\u002cird", DNS:next', [['DNS', 'we,ird'], ['DNS', 'next']]],
    ['DNS:"has \\"quote\\" and, comma", email:a@b.example', [['DNS', 'has "quote" and, comma'], ['email', 'a@b.example']]],
    ['IP Address:2001:DB8:0:0:0:0:0:1, URI:https://x.example/a,b', [['IP Address', '2001:DB8:0:0:0:0:0:1'], ['URI', 'https://x.example/a,b']]],
  ];
  test.each(cases)('%j', (text, expected) => {
    expect(parseSubjectAltName(text)).toEqual(expected);
  });
});

test('dnsNamesOf reads a real certificate, drops duplicates, keeps order', async () => {
  const c = await mintChain({ dnsNames: ['z.example.test', 'a.example.test', 'z.example.test', 'quo"te.example.test'], ipAddresses: ['192.0.2.7', '2001:db8::1'], intermediates: 0 });
  const cert = new X509Certificate(c.leafPem);
  expect(cert.subjectAltName).toContain('IP Address:192.0.2.7');
  expect(dnsNamesOf(cert)).toEqual(['z.example.test', 'a.example.test', 'quo"te.example.test']);
});

test('describeSubject joins RDNs on one line', async () => {
  const c = await mintChain({ intermediates: 0, name: 'Desc' });
  expect(describeSubject(new X509Certificate(c.rootPem))).toMatch(/^(CN=Desc Root CA, O=cert-deployer tests|O=cert-deployer tests, CN=Desc Root CA)$/);
});
