/**
 * The plan sandbox: every mutating operation is refused (DeniedError) and counted before it
 * reaches the wrapped sandbox, whatever the grant allows; reads, TLS probes and read requests
 * pass through to the wrapped sandbox and its grant checks.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, isReadMethod, LocalHost, planSandbox } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import { isDenied } from '../../../packages/connector-sdk/src/index.ts';
import type { HttpRequest, Sandbox } from '../../../packages/connector-sdk/src/sandbox/sandbox.ts';
import { makeTempDir, removeDir } from '../sandbox/support/temp-dir.ts';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
  await mkdir(join(dir, 'tls'));
});
afterEach(() => removeDir(dir));

function inner(): Sandbox {
  // A grant that would allow every write and the command: only the wrapper stands in the way.
  return createSandbox({ grant: { read: [join(dir, 'tls')], write: [join(dir, 'tls')], dial: [], exec: [{ argv: ['/bin/true'] }] }, host: new LocalHost() });
}

describe('planSandbox', () => {
  it('refuses and counts every mutating operation, and the file stays as it was', async () => {
    const path = join(dir, 'tls', 'a.crt');
    await writeFile(path, 'old');
    const sb = planSandbox(inner());
    const attempts: Promise<unknown>[] = [
      sb.writeFile(path, 'new'),
      sb.writeFileSet([{ path, data: 'new' }]),
      sb.restoreFile({ path, previous: null, previousMode: null }),
      sb.restoreFileSet({ paths: [path], previous: [null], previousModes: [null] }),
      sb.exec(['/bin/true']),
      sb.send('127.0.0.1:1', 'x'),
      sb.request({ url: 'https://example.test/x', method: 'POST' }),
      sb.request({ url: 'https://example.test/x?sig=secret', method: 'delete' }),
    ];
    const results = await Promise.allSettled(attempts);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(isDenied((r as PromiseRejectedResult).reason)).toBe(true);
    }
    expect(sb.denied).toEqual({ writeFile: 2, restoreFile: 2, exec: 1, send: 1, request: 2 });
    expect(sb.deniedTotal).toBe(8);
    expect(await readFile(path, 'utf8')).toBe('old');
    // The denial names the request without its query (it may carry a token).
    expect(String((results[7] as PromiseRejectedResult).reason.message)).not.toContain('secret');
  });

  it('lets reads through to the wrapped sandbox, with its grant checks', async () => {
    const path = join(dir, 'tls', 'a.crt');
    await writeFile(path, 'held');
    const sb = planSandbox(inner());
    expect(new TextDecoder().decode((await sb.readFile(path))!)).toBe('held');
    expect(await sb.readFile(join(dir, 'tls', 'missing'))).toBeNull();
    // Outside the wrapped grant: the inner sandbox's own denial, not counted as a mutation.
    await expect(sb.readFile('/etc/hostname')).rejects.toSatisfy(isDenied);
    expect(sb.deniedTotal).toBe(0);
    expect(sb.grant).toEqual(inner().grant);
  });

  it('passes a request the caller classifies as a read to the wrapped sandbox', async () => {
    const seen: HttpRequest[] = [];
    const fake = { ...inner(), request: async (req: HttpRequest) => (seen.push(req), { status: 200, headers: {}, body: new Uint8Array() }) };
    const sb = planSandbox(fake, { isReadRequest: (r) => r.headers?.['x-amz-target'] === 'CertificateManager.DescribeCertificate' });
    await sb.request({ url: 'https://acm.test/', method: 'POST', headers: { 'x-amz-target': 'CertificateManager.DescribeCertificate' } });
    await expect(sb.request({ url: 'https://acm.test/', method: 'POST', headers: { 'x-amz-target': 'CertificateManager.ImportCertificate' } })).rejects.toSatisfy(isDenied);
    expect(seen).toHaveLength(1);
    expect(sb.denied.request).toBe(1);
  });
});

describe('isReadMethod', () => {
  it.each([
    ['GET', true], ['head', true], ['OPTIONS', true], [undefined, true],
    ['POST', false], ['PUT', false], ['PATCH', false], ['DELETE', false],
  ])('%s → %s', (method, want) => {
    expect(isReadMethod({ url: 'https://x.test/', ...(method === undefined ? {} : { method }) })).toBe(want);
  });
});
