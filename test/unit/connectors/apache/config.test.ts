/**
 * The `apache` block and its plan: defaults (`apachectl configtest` / `graceful`), refusals,
 * the grant (with chainPath: three files), and the two file layouts — the whole chain in
 * SSLCertificateFile, or leaf and chain split for SSLCertificateChainFile.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apacheConnector, planApache } from '../../../../src/connectors/apache/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';

const base = { certificatePath: '/etc/ssl/site.crt', privateKeyPath: '/etc/ssl/private/site.key' };
const parse = (block: unknown) => apacheConnector.configSchema.safeParse(block);
const issues = (block: unknown): string => {
  const r = parse(block);
  return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
};
const certsIn = (pem: string): string[] => [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]).fingerprint256.replaceAll(':', '').toLowerCase());

describe('apache block', () => {
  it('defaults: local host, apachectl configtest, apachectl graceful, no chain file', () => {
    const r = parse(base);
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({ host: { local: {} }, configTest: ['/usr/sbin/apachectl', 'configtest'], reload: ['/usr/sbin/apachectl', 'graceful'], commandTimeoutSeconds: 30 });
    expect(r.data?.chainPath).toBeUndefined();
  });

  it.each([
    ['a chain path equal to the certificate path', { ...base, chainPath: base.certificatePath }],
    ['a chain path equal to the key path', { ...base, chainPath: base.privateKeyPath }],
    ['the same certificate and key path', { ...base, privateKeyPath: base.certificatePath }],
  ])('refuses %s', (_what, block) => {
    expect(issues(block)).toMatch(/certificatePath, privateKeyPath and chainPath must all differ/);
  });

  it('refuses a relative chain path', () => {
    expect(issues({ ...base, chainPath: 'chain.pem' })).toMatch(/chainPath: must be an absolute path/);
  });

  it('the grant is exactly the files (chain included when set) and the two commands', () => {
    const c = apacheConnector.create(apacheConnector.configSchema.parse({ ...base, chainPath: '/etc/ssl/chain.crt' }));
    expect(c.capabilities()).toEqual({
      read: [],
      write: [base.certificatePath, '/etc/ssl/chain.crt', base.privateKeyPath],
      dial: [],
      exec: [{ argv: ['/usr/sbin/apachectl', 'configtest'] }, { argv: ['/usr/sbin/apachectl', 'graceful'] }],
    });
  });

  it('the CRD rule names the same three paths', () => {
    const meta = (apacheConnector.configSchema as unknown as { meta(): Record<string, unknown> }).meta();
    expect(JSON.stringify(meta['x-kubernetes-validations'])).toMatch(/self\.chainPath != self\.certificatePath && self\.chainPath != self\.privateKeyPath/);
  });
});

describe('apache plan', () => {
  it('without chainPath: the certificate file holds the whole chain, leaf first; the key is last with 0600', async () => {
    const cred = await mintCredential({ intermediates: 2 });
    const plan = planApache(apacheConnector.configSchema.parse(base), cred.deployment);
    expect(plan.files.map((f) => f.path)).toEqual([base.certificatePath, base.privateKeyPath]);
    expect(certsIn(plan.files[0]?.data ?? '')).toEqual(cred.chainFingerprints);
    expect(plan.files[1]?.options.mode).toBe(0o600);
    expect(plan.configTest?.argv).toEqual(['/usr/sbin/apachectl', 'configtest']);
    expect(plan.reload?.timeoutMs).toBe(30_000);
  });

  it('with chainPath: the leaf alone, then the certificates above it (root too when ca.crt had it), then the key', async () => {
    const cred = await mintCredential({ intermediates: 2, withRoot: true });
    const plan = planApache(apacheConnector.configSchema.parse({ ...base, chainPath: '/etc/ssl/chain.crt' }), cred.deployment);
    expect(plan.files.map((f) => f.path)).toEqual([base.certificatePath, '/etc/ssl/chain.crt', base.privateKeyPath]);
    expect(certsIn(plan.files[0]?.data ?? '')).toEqual(cred.chainFingerprints.slice(0, 1));
    expect(certsIn(plan.files[1]?.data ?? '')).toEqual(cred.chainFingerprints.slice(1));
  });

  it('with chainPath and no certificate above the leaf: a terminal error naming the fix, before any file is planned', async () => {
    const cred = await mintCredential({ intermediates: 0 });
    const leafOnly = { ...cred.deployment, chainPem: [cred.deployment.certificatePem] };
    let error: unknown;
    try {
      planApache(apacheConnector.configSchema.parse({ ...base, chainPath: '/etc/ssl/chain.crt' }), leafOnly);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ retryable: false, code: 'CD_ERR_CONNECTOR' });
    expect((error as Error).message).toMatch(/chainPath \/etc\/ssl\/chain\.crt is set, but the Secret holds no certificate above the leaf/);
  });
});
