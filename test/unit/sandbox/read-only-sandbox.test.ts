/**
 * The read-only sandbox drift inspection runs in: reads pass (still held to the grant), every
 * write, restore, command and socket send is denied and counted, and HTTP passes only when its
 * shape is a read. A real checked sandbox over a real directory and HTTP server underneath.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, isDenied, isReadOnlyRequest, LocalHost, readOnlySandbox, type HttpRequest } from '../../../src/sandbox/index.ts';
import { close, listen } from './support/servers.ts';

let dir = '';
let server: Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-ro-'));
  await writeFile(join(dir, 'site.crt'), 'original\n');
  server = createServer((_req, res) => { hits++; res.end('ok'); });
  port = await listen(server);
});
afterAll(async () => {
  await close(server);
  await rm(dir, { recursive: true, force: true });
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const table: [string, HttpRequest, boolean][] = [
  ['GET', { url: 'https://vault.example/certificates/c?api-version=7.4' }, true],
  ['HEAD', { url: 'https://x.example/', method: 'HEAD' }, true],
  ['ACM DescribeCertificate', { url: 'https://acm.eu-west-1.amazonaws.com/', method: 'POST', headers: { 'X-Amz-Target': 'CertificateManager.DescribeCertificate' } }, true],
  ['ACM GetCertificate', { url: 'https://acm.eu-west-1.amazonaws.com/', method: 'POST', headers: { 'x-amz-target': 'CertificateManager.GetCertificate' } }, true],
  ['ACM ListTagsForCertificate', { url: 'https://acm.eu-west-1.amazonaws.com/', method: 'POST', headers: { 'x-amz-target': 'CertificateManager.ListTagsForCertificate' } }, true],
  ['ACM ImportCertificate', { url: 'https://acm.eu-west-1.amazonaws.com/', method: 'POST', headers: { 'x-amz-target': 'CertificateManager.ImportCertificate' } }, false],
  ['ACM AddTagsToCertificate', { url: 'https://acm.eu-west-1.amazonaws.com/', method: 'POST', headers: { 'x-amz-target': 'CertificateManager.AddTagsToCertificate' } }, false],
  ['ACM DeleteCertificate', { url: 'https://acm.eu-west-1.amazonaws.com/', method: 'POST', headers: { 'x-amz-target': 'CertificateManager.DeleteCertificate' } }, false],
  ['OAuth token (Azure AD)', { url: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', method: 'POST', headers: form, body: 'grant_type=client_credentials&client_id=x' }, true],
  ['OAuth token (Google)', { url: 'https://oauth2.googleapis.com/token', method: 'POST', headers: form, body: 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=x' }, true],
  ['form POST with grant_type to a non-token path', { url: 'https://vault.example/certificates/c/import', method: 'POST', headers: form, body: 'grant_type=x' }, false],
  ['STS AssumeRoleWithWebIdentity', { url: 'https://sts.amazonaws.com/', method: 'POST', headers: form, body: 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15' }, true],
  ['STS AssumeRole is not in the list', { url: 'https://sts.amazonaws.com/', method: 'POST', headers: form, body: 'Action=CreateRole' }, false],
  ['IMDSv2 session token', { url: 'http://169.254.169.254/latest/api/token', method: 'PUT' }, true],
  ['PUT elsewhere', { url: 'https://f5.example/mgmt/tm/ltm/profile/client-ssl/p', method: 'PUT', body: '{}' }, false],
  ['PATCH (F5 profile swap)', { url: 'https://f5.example/mgmt/tm/ltm/profile/client-ssl/p', method: 'PATCH', body: '{}' }, false],
  ['JSON POST (Key Vault import)', { url: 'https://vault.example/certificates/c/import?api-version=7.4', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, false],
  ['DELETE', { url: 'https://x.example/thing', method: 'DELETE' }, false],
  ['WinRM (SOAP POST: could run anything)', { url: 'https://iis.example:5986/wsman', method: 'POST', headers: { 'content-type': 'application/soap+xml' }, body: '<s:Envelope/>' }, false],
];

describe('isReadOnlyRequest', () => {
  it.each(table)('%s → %s', (_name, req, ok) => expect(isReadOnlyRequest(req)).toBe(ok));
});

describe('readOnlySandbox', () => {
  const host = new LocalHost();
  const inner = () => createSandbox({ grant: { read: [], write: [dir], dial: [`127.0.0.1:${port}`], exec: [{ argv: ['/bin/true'] }] }, host });

  it('reads pass through; every mutating operation is denied, counted, and changes nothing', async () => {
    const base = inner();
    const ro = readOnlySandbox(base);
    const path = join(dir, 'site.crt');
    expect(new TextDecoder().decode((await ro.readFile(path))!)).toBe('original\n');
    const attempts = [
      ro.writeFile(path, 'changed\n'),
      ro.restoreFile({ path, previous: null, previousMode: null }),
      ro.writeFileSet([{ path, data: 'changed\n' }]),
      ro.restoreFileSet({ paths: [path], previous: [null], previousModes: [null] }),
      ro.exec(['/bin/true']),
      ro.send(`127.0.0.1:${port}`, 'x'),
      ro.request({ url: `http://127.0.0.1:${port}/x`, method: 'POST', body: 'x' }),
    ];
    for (const a of attempts) await expect(a).rejects.toSatisfy(isDenied);
    expect(ro.deniedAttempts).toBe(attempts.length);
    expect(await readFile(path, 'utf8')).toBe('original\n');
    expect(hits).toBe(0);
    const res = await ro.request({ url: `http://127.0.0.1:${port}/x` });
    expect(res.status).toBe(200);
    expect(hits).toBe(1);
    await base.close();
  });

  it('reads stay held to the grant underneath', async () => {
    const base = inner();
    await expect(readOnlySandbox(base).readFile('/etc/hostname')).rejects.toSatisfy(isDenied);
    await expect(readOnlySandbox(base).request({ url: 'http://127.0.0.1:1/' })).rejects.toSatisfy(isDenied);
    await base.close();
  });

  it('a denial message carries no query string (a SAS token could be in it)', async () => {
    const base = inner();
    const err = await readOnlySandbox(base).request({ url: `http://127.0.0.1:${port}/x?sig=SECRET`, method: 'DELETE' }).catch((e: unknown) => e as Error);
    expect(String((err as Error).message)).not.toContain('SECRET');
    await base.close();
  });
});
