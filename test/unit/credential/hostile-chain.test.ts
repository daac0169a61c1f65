/**
 * Hostile chains: a Secret whose tls.crt/ca.crt hold hundreds of certificates, or more bytes
 * than any real chain, is refused with a specific reason (ChainTooLong, ChainTooLarge) before
 * any X.509 parsing. Before these limits a 465 KB chain (the same chain repeated) parsed,
 * was de-duplicated and deployed; the per-field 1 MiB cap never fires on a stored Secret.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  DEFAULT_MAX_CHAIN_BYTES,
  DEFAULT_MAX_CHAIN_CERTIFICATES,
  InvalidCertificateReason as Reason,
  isInvalidCertificate,
  parseTlsSecret,
  type TlsSecretData,
} from '../../../packages/connector-sdk/src/credential/index.ts';
import { mintChain, mintSelfSigned, type MintedChain } from '../../support/certs/index.ts';

const NOW = new Date();
let chain: MintedChain;

beforeAll(async () => {
  chain = await mintChain({ intermediates: 2, dnsNames: ['hostile.example.test'] });
});

function refusal(data: TlsSecretData, opts: Partial<Parameters<typeof parseTlsSecret>[1]> = {}): { reason: string; field: string | undefined; message: string } {
  try {
    parseTlsSecret(data, { now: NOW, ...opts });
  } catch (err) {
    if (!isInvalidCertificate(err)) throw err;
    return { reason: err.reason, field: err.field, message: err.message };
  }
  throw new Error('expected the Secret to be refused');
}

describe('chain count', () => {
  test('the same chain repeated until it is 465 KB is refused as too large, not de-duplicated and deployed', () => {
    const one = chain.chainPem.join('');
    const copies = Math.ceil((465 * 1024) / one.length);
    const r = refusal({ 'tls.crt': one.repeat(copies), 'tls.key': chain.keyPem });
    expect(r.reason).toBe(Reason.ChainTooLarge);
    expect(r.field).toBe('tls.crt');
    expect(r.message).toMatch(/tls\.crt and ca\.crt hold \d+ bytes, above the limit of 65536 bytes/);
  });

  test('hundreds of certificates in ca.crt under the byte limit are refused as too long, counting duplicates', () => {
    // A root repeated: small enough that only the count can refuse it.
    const copies = DEFAULT_MAX_CHAIN_CERTIFICATES * 10;
    const ca = chain.rootPem.repeat(copies);
    const r = refusal({ 'tls.crt': chain.chainPem.slice(0, 3).join(''), 'tls.key': chain.keyPem, 'ca.crt': ca }, { maxChainBytes: 1024 * 1024 });
    expect(r.reason).toBe(Reason.ChainTooLong);
    expect(r.field).toBe('ca.crt');
    expect(r.message).toContain(`hold ${copies + 3} certificates (tls.crt 3, ca.crt ${copies}), above the limit of ${DEFAULT_MAX_CHAIN_CERTIFICATES}`);
  });

  test('33 distinct certificates are refused by default, 32 are accepted', async () => {
    const extras = await Promise.all(Array.from({ length: DEFAULT_MAX_CHAIN_CERTIFICATES - 4 }, (_, i) => mintSelfSigned({ dnsNames: [`unrelated-${i}.example.test`] })));
    const ca = [chain.rootPem, ...extras.map((e) => e.leafPem)].join(''); // 1 + 28 = 29
    const crt = chain.chainPem.slice(0, 3).join(''); // leaf + 2 intermediates = 3 → 32 in all
    const ok = parseTlsSecret({ 'tls.crt': crt, 'tls.key': chain.keyPem, 'ca.crt': ca }, { now: NOW });
    expect(ok.chainPem).toHaveLength(4); // leaf, two intermediates, root: certificates still do not link
    const r = refusal({ 'tls.crt': crt, 'tls.key': chain.keyPem, 'ca.crt': ca + extras[0]!.leafPem });
    expect(r.reason).toBe(Reason.ChainTooLong);
  });

  test('the count limit is an option', () => {
    const r = refusal({ 'tls.crt': chain.chainPem.join(''), 'tls.key': chain.keyPem }, { maxChainCertificates: 3 });
    expect(r.reason).toBe(Reason.ChainTooLong);
    expect(parseTlsSecret({ 'tls.crt': chain.chainPem.join(''), 'tls.key': chain.keyPem }, { now: NOW, maxChainCertificates: 4 }).chainPem).toHaveLength(4);
  });
});

describe('chain bytes', () => {
  test('a leaf with thousands of SANs above 64 KiB is refused as too large; one just under it deploys', async () => {
    const big = await mintChain({ dnsNames: Array.from({ length: 2600 }, (_, i) => `host-${String(i).padStart(5, '0')}.hostile.example.test`) });
    const size = Buffer.byteLength(big.chainPem.join(''));
    expect(size).toBeGreaterThan(DEFAULT_MAX_CHAIN_BYTES);
    expect(refusal({ 'tls.crt': big.chainPem.join(''), 'tls.key': big.keyPem }).reason).toBe(Reason.ChainTooLarge);
    const fits = parseTlsSecret({ 'tls.crt': big.chainPem.join(''), 'tls.key': big.keyPem }, { now: NOW, maxChainBytes: size });
    expect(fits.dnsNames).toHaveLength(2600);
  });

  test('tls.crt and ca.crt count together, and the message splits them', () => {
    const half = 'x'.repeat(DEFAULT_MAX_CHAIN_BYTES / 2); // text outside blocks still counts: it is stored and read
    const r = refusal({ 'tls.crt': half + chain.chainPem.join(''), 'tls.key': chain.keyPem, 'ca.crt': half + chain.rootPem });
    expect(r.reason).toBe(Reason.ChainTooLarge);
    expect(r.message).toMatch(/\(tls\.crt \d+, ca\.crt \d+\)/);
  });

  test('a field above 1 MiB is still Oversize (checked first, per field)', () => {
    const r = refusal({ 'tls.crt': 'y'.repeat(1024 * 1024 + 1), 'tls.key': chain.keyPem });
    expect(r.reason).toBe(Reason.Oversize);
  });

  test('a real chain (leaf, two intermediates, root in ca.crt, root duplicated) is far below both limits', () => {
    const data = { 'tls.crt': chain.chainPem.join(''), 'tls.key': chain.keyPem, 'ca.crt': chain.rootPem };
    const dep = parseTlsSecret(data, { now: NOW });
    expect(dep.chainPem).toHaveLength(4);
    expect(Buffer.byteLength(data['tls.crt']) + Buffer.byteLength(data['ca.crt'])).toBeLessThan(DEFAULT_MAX_CHAIN_BYTES / 10);
  });
});
