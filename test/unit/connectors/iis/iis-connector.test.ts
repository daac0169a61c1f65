/**
 * The iis connector against the WinRM fake, for what the shared suite cannot express or does
 * not cover: replay with zero mutating commands (the suite's opted-out case, on the fake's
 * own counters), cancellation while the binding command runs, unreachable and refused
 * endpoints, chunked transfer, ownership-limited removal of old certificates, created
 * bindings, hostile site names end to end, undeploy, and that neither the key nor the PFX
 * password nor the WinRM password ever reaches an error.
 */
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretValue } from '../../../../packages/connector-sdk/src/deployment.ts';
import { CertDeployerError, ErrorCode, isDenied } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import { keyMaterialLeaks } from '../../../support/certs/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { IIS_CREDENTIALS_SECRET } from '../../../conformance/fixtures/iis-fixture.ts';
import { freePort } from '../../../support/control-plane/ports.ts';
import { startWinrmFake, type WinrmFake } from '../../../support/winrm-fake/index.ts';
import { deploy, messageOf, mustDeploy, undeploy } from './harness.ts';

const SITE = 'Default Web Site';
const thumb = (pem: string): string => new X509Certificate(pem).fingerprint.replaceAll(':', '');
let fakes: WinrmFake[] = [];

async function fakeWithSite(https: readonly string[] = ['*:443:']): Promise<WinrmFake> {
  const fake = await startWinrmFake();
  fake.host.addSite(SITE, https);
  fakes.push(fake);
  return fake;
}

const bound = (fake: WinrmFake, info = '*:443:', site = SITE): string | undefined =>
  fake.host.site(site)?.bindings.find((b) => b.protocol === 'https' && b.bindingInformation === info)?.certificateHash;

afterEach(async () => {
  for (const f of fakes) {
    expect(f.violations, 'WinRM fake protocol violations').toEqual([]);
    expect(f.openShells(), 'shells left open').toBe(0);
    await f.close();
  }
  fakes = [];
});

describe('iis connector: idempotency', () => {
  it('a replay reads once and changes nothing: one query command, zero host mutations, remoteId = thumbprint', async () => {
    const fake = await fakeWithSite();
    const cred = await mintCredential();
    const first = await mustDeploy(fake, SITE, cred.deployment);
    expect(first).toMatchObject({ changed: true, remoteId: thumb(cred.deployment.certificatePem) });
    const mutations = fake.host.mutations;
    const commands = fake.commands.length;
    const replay = await mustDeploy(fake, SITE, cred.deployment);
    expect(replay).toMatchObject({ changed: false, remoteId: thumb(cred.deployment.certificatePem) });
    expect(fake.host.mutations).toBe(mutations);
    const ran = fake.commands.slice(commands);
    expect(ran).toHaveLength(1);
    expect(ran[0]?.body).toContain('$sites = @(Get-Website | ForEach-Object { $_.Name })');
    expect(replay.sandbox.calls.exec.attempted + replay.sandbox.calls.writeFile.attempted).toBe(0);
  });

  it('a certificate present but unbound is bound without a second import', async () => {
    const fake = await fakeWithSite();
    const a = await mintCredential({ name: 'A' });
    const b = await mintCredential({ name: 'B' });
    await mustDeploy(fake, SITE, a.deployment, { block: { removeOldCertificate: false } });
    await mustDeploy(fake, SITE, b.deployment, { block: { removeOldCertificate: false } });
    const commands = fake.commands.length;
    const back = await mustDeploy(fake, SITE, a.deployment, { block: { removeOldCertificate: false } });
    expect(back.changed).toBe(true);
    expect(fake.commands.slice(commands).some((c) => 'password' in c.params)).toBe(false);
    expect(bound(fake)).toBe(thumb(a.deployment.certificatePem));
  });
});

describe('iis connector: transfer', () => {
  it('sends a large PFX in chunks that each fit cmd.exe, and leaves no temp file', async () => {
    const fake = await fakeWithSite();
    const cred = await mintCredential({ keyAlgorithm: 'rsa', intermediates: 3, withRoot: true });
    await mustDeploy(fake, SITE, cred.deployment);
    const transfers = fake.commands.filter((c) => 'chunk' in c.params);
    expect(transfers.length).toBeGreaterThan(1);
    expect(Math.max(...fake.commands.map((c) => c.commandLineLength))).toBeLessThanOrEqual(8191);
    expect(fake.host.tempFiles.size).toBe(0);
    expect(fake.host.boundCertificate(SITE, '*:443:')?.chain).toEqual(cred.chainFingerprints);
  });

  it('imports with legacy3des protection too (Windows Server 2016)', async () => {
    const fake = await fakeWithSite();
    const cred = await mintCredential();
    await mustDeploy(fake, SITE, cred.deployment, { block: { pfxEncryption: 'legacy3des' } });
    expect(fake.host.boundCertificate(SITE, '*:443:')?.keyMatches).toBe(true);
  });

  it('uses a fresh random PFX password per deploy', async () => {
    const fake = await fakeWithSite();
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, SITE, a.deployment);
    await mustDeploy(fake, SITE, b.deployment);
    const passwords = fake.commands.filter((c) => 'password' in c.params).map((c) => c.params.password);
    expect(passwords).toHaveLength(2);
    expect(new Set(passwords).size).toBe(2);
    for (const p of passwords) expect(String(p)).toMatch(/^[0-9a-f]{48}$/);
  });
});

describe('iis connector: bindings and old certificates', () => {
  it('removes its own previous certificate once unused, never a foreign one or one another site uses', async () => {
    const fake = await fakeWithSite(['*:443:', '*:8443:']);
    fake.host.addSite('Other', ['*:9443:']);
    const [a, b, c] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' }), mintCredential({ name: 'C' })]);
    await mustDeploy(fake, SITE, a.deployment);
    const ta = thumb(a.deployment.certificatePem);
    expect([bound(fake), bound(fake, '*:8443:')]).toEqual([ta, ta]);
    // Someone binds A to another site by hand: it must survive.
    (fake.host.site('Other')?.bindings[1] as { certificateHash: string }).certificateHash = ta;
    await mustDeploy(fake, SITE, b.deployment);
    expect(fake.host.store.has(ta)).toBe(true);
    // Foreign certificate (not tagged by this target) bound to the site: replaced, not removed.
    const tb = thumb(b.deployment.certificatePem);
    const stored = fake.host.store.get(tb);
    if (stored !== undefined) stored.friendlyName = 'installed by hand';
    const result = await mustDeploy(fake, SITE, c.deployment);
    expect(fake.host.store.has(tb)).toBe(true);
    expect(result.message).not.toMatch(/removed/);
    // Once the other site lets go of A, the next deploy cleans it up (it is ours and unused).
    (fake.host.site('Other')?.bindings[1] as { certificateHash: string }).certificateHash = '';
    const cleanup = await mustDeploy(fake, SITE, c.deployment);
    expect(cleanup.changed).toBe(true);
    expect(fake.host.store.has(ta)).toBe(false);
    expect((await mustDeploy(fake, SITE, c.deployment)).changed).toBe(false);
  });

  it('keeps old certificates with removeOldCertificate: false', async () => {
    const fake = await fakeWithSite();
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, SITE, a.deployment, { block: { removeOldCertificate: false } });
    await mustDeploy(fake, SITE, b.deployment, { block: { removeOldCertificate: false } });
    expect(fake.host.store.has(thumb(a.deployment.certificatePem))).toBe(true);
  });

  it('creates configured bindings that are missing (SNI for host names) and leaves others alone', async () => {
    const fake = await fakeWithSite(['*:443:', '10.0.0.5:443:']);
    const cred = await mintCredential();
    const bindings = [{ hostHeader: 'shop.example.test' }, { port: 443 }];
    await mustDeploy(fake, SITE, cred.deployment, { block: { bindings } });
    const site = fake.host.site(SITE);
    const created = site?.bindings.find((b) => b.bindingInformation === '*:443:shop.example.test');
    expect(created).toMatchObject({ protocol: 'https', sslFlags: 1, certificateHash: thumb(cred.deployment.certificatePem) });
    expect(bound(fake)).toBe(thumb(cred.deployment.certificatePem));
    expect(bound(fake, '10.0.0.5:443:')).toBe('');
    expect((await mustDeploy(fake, SITE, cred.deployment, { block: { bindings } })).changed).toBe(false);
  });

  it('rolls a failed deploy back: bindings to the previous certificate, created bindings and the new certificate removed', async () => {
    const fake = await fakeWithSite();
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    const bindings = [{}, { hostHeader: 'new.example.test' }];
    await mustDeploy(fake, SITE, a.deployment);
    fake.host.faults.refuseNew = true;
    const o = await deploy(fake, SITE, b.deployment, { block: { bindings } });
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error).toMatchObject({ code: ErrorCode.Connector, retryable: false });
    expect(bound(fake)).toBe(thumb(a.deployment.certificatePem));
    expect(fake.host.site(SITE)?.bindings.map((x) => x.bindingInformation)).toEqual(['*:80:', '*:443:']);
    expect([...fake.host.store.keys()]).toEqual([thumb(a.deployment.certificatePem)]);
    expect(fake.host.tempFiles.size).toBe(0);
  });
});

describe('iis connector: errors', () => {
  it('refuses Ed25519 before contacting the host', async () => {
    const fake = await fakeWithSite();
    const o = await deploy(fake, SITE, (await mintCredential({ keyAlgorithm: 'ed25519' })).deployment);
    expect(o.ok).toBe(false);
    if (!o.ok) expect(messageOf(o.error)).toMatch(/Ed25519/);
    expect(fake.requests.create).toBe(0);
  });

  it('401 is terminal and quotes neither the WinRM password nor its Basic header', async () => {
    const fake = await fakeWithSite();
    const secrets = new Map([[IIS_CREDENTIALS_SECRET, { username: new SecretValue('Administrator'), password: new SecretValue('wrong-Secret-9') }]]);
    const o = await deploy(fake, SITE, (await mintCredential()).deployment, { secrets });
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.error).toMatchObject({ code: ErrorCode.Connector, retryable: false });
    expect(messageOf(o.error)).toMatch(/401/);
    expect(JSON.stringify(o.error) + messageOf(o.error) + String((o.error as Error).stack)).not.toMatch(/wrong-Secret-9|d3JvbmctU2VjcmV0LTk/);
    expect(fake.requests.unauthorized).toBe(1);
  });

  it('a missing credentials Secret is terminal', async () => {
    const fake = await fakeWithSite();
    const o = await deploy(fake, SITE, (await mintCredential()).deployment, { secrets: new Map() });
    expect(o.ok ? 'ok' : messageOf(o.error)).toMatch(/winrm-credentials.*username.*password/);
  });

  it.each([
    ['HTTP 503', 503],
    ['HTTP 500 with a SOAP fault', 500],
  ])('%s is retryable', async (_what, status) => {
    const fake = await fakeWithSite();
    fake.failNext(status);
    const o = await deploy(fake, SITE, (await mintCredential()).deployment);
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.error).toMatchObject({ retryable: true });
  });

  it('a dropped connection and a closed port are retryable, not denials', async () => {
    const fake = await fakeWithSite();
    fake.failNext(0);
    const dropped = await deploy(fake, SITE, (await mintCredential()).deployment);
    const port = await freePort();
    const closed = await deploy(fake, SITE, (await mintCredential()).deployment, { block: { address: `127.0.0.1:${port}` } });
    for (const o of [dropped, closed]) {
      expect(o.ok).toBe(false);
      if (!o.ok) {
        expect(o.error).toBeInstanceOf(CertDeployerError);
        expect(o.error).toMatchObject({ retryable: true, code: ErrorCode.Unreachable });
        expect(isDenied(o.error)).toBe(false);
      }
    }
  });

  it('an untrusted listener certificate fails (no caBundle): verification is never skipped', async () => {
    const fake = await fakeWithSite();
    const o = await deploy(fake, SITE, (await mintCredential()).deployment, { block: { caBundle: undefined } });
    expect(o.ok).toBe(false);
    expect(fake.requests.create).toBe(0);
  });

  it.each([
    ['no such site', 'Missing Site', {}, /no site named "Missing Site"/],
    ['a site without https bindings', 'Bare', {}, /has no https binding/],
  ])('%s is terminal before any change', async (_what, site, block, pattern) => {
    const fake = await fakeWithSite();
    fake.host.addSite('Bare', []);
    const o = await deploy(fake, site, (await mintCredential()).deployment, { block });
    expect(o.ok ? 'ok' : messageOf(o.error)).toMatch(pattern);
    expect(fake.host.mutations).toBe(0);
  });

  it('a binding on the Centralized Certificate Store is refused', async () => {
    const fake = await startWinrmFake();
    fakes.push(fake);
    fake.host.addSite(SITE, ['*:443:'], 2);
    const o = await deploy(fake, SITE, (await mintCredential()).deployment);
    expect(o.ok ? 'ok' : messageOf(o.error)).toMatch(/Centralized Certificate Store/);
  });

  it('script errors are terminal and quote the host\'s message without the key or the PFX password', async () => {
    const fake = await fakeWithSite();
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, SITE, a.deployment);
    Object.assign(fake.host.faults, { refuseNew: true, leakSecrets: true });
    const o = await deploy(fake, SITE, b.deployment);
    expect(o.ok).toBe(false);
    if (o.ok) return;
    const passwords = fake.commands.filter((c) => 'password' in c.params).map((c) => String(c.params.password));
    const surfaces = [messageOf(o.error), JSON.stringify(o.error), String((o.error as Error).stack)];
    expect(messageOf(o.error)).toMatch(/logon session does not exist/);
    expect(keyMaterialLeaks(surfaces, [b.keyPem])).toEqual([]);
    for (const p of passwords) for (const s of surfaces) expect(s).not.toContain(p);
  });
});

describe('iis connector: cancellation', () => {
  it('an abort while the binding command runs rejects, stops it, rolls back; the replay deploys', async () => {
    const fake = await fakeWithSite();
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, SITE, a.deployment);
    fake.host.faults.slowBindMs = 2000;
    const before = fake.commands.length;
    const ac = new AbortController();
    const watch = setInterval(() => {
      const imported = fake.commands.slice(before).some((c) => 'password' in c.params);
      const running = fake.requests.command > fake.commands.length;
      if (imported && running) ac.abort(new Error('test: cancelled during the binding command'));
    }, 20);
    const o = await deploy(fake, SITE, b.deployment, { signal: ac.signal });
    clearInterval(watch);
    expect(o.ok).toBe(false);
    expect(ac.signal.aborted).toBe(true);
    const after = fake.commands.slice(before);
    expect(after.some((c) => c.params.thumbprint === thumb(b.deployment.certificatePem) && c.body.some((l) => l.includes('AddSslCertificate'))), 'the binding to B ran although it was terminated').toBe(false);
    expect(after.some((c) => c.params.thumbprint === thumb(a.deployment.certificatePem) && c.exitCode === 0), 'the binding was put back to A').toBe(true);
    expect(bound(fake)).toBe(thumb(a.deployment.certificatePem));
    expect(fake.host.store.has(thumb(b.deployment.certificatePem))).toBe(false);
    fake.host.faults.slowBindMs = 0;
    const replay = await mustDeploy(fake, SITE, b.deployment);
    expect(replay.changed).toBe(true);
    expect(bound(fake)).toBe(thumb(b.deployment.certificatePem));
  });

  it('an already-aborted signal sends nothing', async () => {
    const fake = await fakeWithSite();
    const ac = new AbortController();
    ac.abort(new Error('test: cancelled'));
    const o = await deploy(fake, SITE, (await mintCredential()).deployment, { signal: ac.signal });
    expect(o.ok).toBe(false);
    expect(fake.requests.create).toBe(0);
  });
});

describe('iis connector: hostile names and undeploy', () => {
  it.each([
    ["O'Brien's site"],
    ['x’; Remove-Item C:\\ -Recurse; ‘'],
    ['$(Stop-Computer -Force) `n ${env:PATH}'],
    ['‛‚’‘\'\'\' "double" @(1) ; # not a comment'],
  ])('site %j is deployed to exactly as named, and no other site changes', async (name) => {
    const fake = await fakeWithSite();
    fake.host.addSite(name, ['*:443:']);
    const cred = await mintCredential();
    await mustDeploy(fake, name, cred.deployment);
    expect(bound(fake, '*:443:', name)).toBe(thumb(cred.deployment.certificatePem));
    expect(bound(fake)).toBe('');
    expect(fake.commands.filter((c) => 'site' in c.params).every((c) => c.params.site === name)).toBe(true);
  });

  it('undeploy removes this target\'s unused certificates only, and keeps the bound one', async () => {
    const fake = await fakeWithSite();
    const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
    await mustDeploy(fake, SITE, a.deployment, { block: { removeOldCertificate: false } });
    await mustDeploy(fake, SITE, b.deployment, { block: { removeOldCertificate: false } });
    await mustDeploy(fake, SITE, a.deployment, { ownerId: 'someone-else/iis', block: { siteName: SITE, removeOldCertificate: false } });
    expect(fake.host.store.size).toBe(2);
    await undeploy(fake, SITE);
    expect(fake.host.store.has(thumb(a.deployment.certificatePem)), 'bound: kept').toBe(true);
    expect(fake.host.store.has(thumb(b.deployment.certificatePem)), 'ours and unused: removed').toBe(false);
    await undeploy(fake, SITE);
    expect(fake.host.store.size).toBe(1);
  });
});
