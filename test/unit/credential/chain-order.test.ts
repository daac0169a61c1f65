/**
 * Chain ordering is decided by signatures, not file position: any shuffle of the same
 * certificates, with duplicates and unrelated certificates mixed in, split in any way between
 * tls.crt and ca.crt, yields the same leaf → root chain.
 */
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { dedupeCertificates, isIssuedBy, isSelfSigned, orderChain, parseTlsSecret } from '../../../packages/connector-sdk/src/credential/index.ts';
import { mintChain, mintImpostor, type MintedChain } from '../../support/certs/index.ts';

let chains: MintedChain[];
let unrelated: MintedChain;
let sameNames: MintedChain;

beforeAll(async () => {
  chains = await Promise.all([
    mintChain({ intermediates: 3, name: 'Deep' }),
    mintChain({ intermediates: 2, keyAlgorithm: 'rsa', caKeyAlgorithm: 'rsa', name: 'Rsa' }),
    mintChain({ intermediates: 1, keyAlgorithm: 'ed25519', caKeyAlgorithm: 'ed25519', name: 'Ed' }),
  ]);
  unrelated = await mintChain({ intermediates: 2, name: 'Unrelated' });
  // Same CA subject names as chains[0], different keys: only signatures can tell them apart.
  sameNames = await mintChain({ intermediates: 3, name: 'Deep' });
});

const x = (pem: string): X509Certificate => new X509Certificate(pem);
const raws = (certs: readonly X509Certificate[]): string[] => certs.map((c) => c.raw.toString('base64'));

describe('orderChain', () => {
  test('property: any shuffle with duplicates and unrelated certificates gives the same chain', () => {
    const scenario = fc
      .nat({ max: 2 })
      .chain((which) => {
        const c = chains[which] as MintedChain;
        const extra = [...unrelated.chainPem, ...sameNames.chainPem.slice(1)];
        return fc.record({
          which: fc.constant(which),
          ordered: fc.shuffledSubarray([...c.chainPem], { minLength: c.chainPem.length }),
          duplicates: fc.array(fc.constantFrom(...c.chainPem), { maxLength: 3 }),
          noise: fc.shuffledSubarray(extra),
          positions: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        });
      });
    fc.assert(
      fc.property(scenario, ({ which, ordered, duplicates, noise, positions }) => {
        const c = chains[which] as MintedChain;
        const pool = [...ordered];
        for (const [i, pem] of [...duplicates, ...noise].entries()) pool.splice((positions[i] ?? 0) % (pool.length + 1), 0, pem);
        const result = orderChain(x(c.leafPem), pool.map(x));
        expect(raws(result.chain)).toEqual(raws(c.chainPem.map(x)));
        expect(raws(result.unlinked).sort()).toEqual(raws(dedupeCertificates(noise.map(x))).sort());
      }),
      { numRuns: 150 },
    );
  });

  test('a same-named CA with a different key is not a link', () => {
    const [c] = chains as [MintedChain];
    expect(x(c.intermediatePems[2] as string).subject).toBe(x(sameNames.intermediatePems[2] as string).subject);
    const pool = [...sameNames.chainPem.slice(1), ...c.chainPem.slice(1)].map(x);
    expect(raws(orderChain(x(c.leafPem), pool).chain)).toEqual(raws(c.chainPem.map(x)));
  });

  test('a CA with the same subject and key identifier but another key is not a link (signature decides)', async () => {
    const [c] = chains as [MintedChain];
    const issuerPem = c.intermediatePems[0] as string;
    const impostor = x(await mintImpostor(issuerPem));
    expect(impostor.subject).toBe(x(issuerPem).subject);
    expect(x(c.leafPem).checkIssued(impostor)).toBe(true); // names and key ids do match
    expect(isIssuedBy(x(c.leafPem), impostor)).toBe(false);
    const result = orderChain(x(c.leafPem), [impostor, ...c.chainPem.slice(1).map(x)]);
    expect(raws(result.chain)).toEqual(raws(c.chainPem.map(x)));
    expect(raws(result.unlinked)).toEqual(raws([impostor]));
  });

  test('stops at a self-signed root even when more certificates remain', () => {
    const [c] = chains as [MintedChain];
    const result = orderChain(x(c.leafPem), [...c.chainPem, unrelated.rootPem].map(x));
    expect(result.chain).toHaveLength(c.chainPem.length);
    expect(isSelfSigned(result.chain.at(-1) as X509Certificate)).toBe(true);
    expect(raws(result.unlinked)).toEqual(raws([x(unrelated.rootPem)]));
  });

  test('stops when the issuer is missing, and a leaf alone is a chain of one', () => {
    const [c] = chains as [MintedChain];
    const withoutSecond = [c.leafPem, ...c.chainPem.slice(2)].map(x);
    const result = orderChain(x(c.leafPem), withoutSecond);
    expect(raws(result.chain)).toEqual(raws([x(c.leafPem)]));
    expect(result.unlinked).toHaveLength(c.chainPem.length - 2);
    expect(orderChain(x(c.leafPem), []).chain).toHaveLength(1);
  });

  test('isIssuedBy follows real issuance only', () => {
    const [c] = chains as [MintedChain];
    expect(isIssuedBy(x(c.leafPem), x(c.intermediatePems[0] as string))).toBe(true);
    expect(isIssuedBy(x(c.leafPem), x(c.rootPem))).toBe(false);
    expect(isIssuedBy(x(c.intermediatePems[0] as string), x(c.leafPem))).toBe(false);
    expect(isIssuedBy(x(c.leafPem), x(sameNames.intermediatePems[0] as string))).toBe(false);
  });
});

describe('parseTlsSecret chain property', () => {
  test('property: any split of a shuffled chain between tls.crt and ca.crt gives the same chainPem', () => {
    const scenario = fc.nat({ max: 2 }).chain((which) => {
      const c = chains[which] as MintedChain;
      return fc.record({
        which: fc.constant(which),
        cas: fc.shuffledSubarray(c.chainPem.slice(1), { minLength: c.chainPem.length - 1 }),
        split: fc.nat({ max: c.chainPem.length - 1 }),
        leafAt: fc.nat(),
        caDuplicates: fc.array(fc.constantFrom(...c.chainPem), { maxLength: 2 }),
        noise: fc.shuffledSubarray([...unrelated.chainPem]),
      });
    });
    fc.assert(
      fc.property(scenario, ({ which, cas, split, leafAt, caDuplicates, noise }) => {
        const c = chains[which] as MintedChain;
        const tls = cas.slice(0, split);
        tls.splice(leafAt % (tls.length + 1), 0, c.leafPem);
        const ca = [...cas.slice(split), ...caDuplicates, ...noise];
        const d = parseTlsSecret({ 'tls.crt': tls.join(''), 'tls.key': c.keyPem, 'ca.crt': ca.join('\n') }, { now: new Date() });
        expect(d.chainPem).toEqual(c.chainPem);
        expect(d.certificatePem).toBe(c.leafPem);
      }),
      { numRuns: 100 },
    );
  });
});
