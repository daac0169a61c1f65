/**
 * Issue 12 item 7: during a rotation storm, a reader never sees a certificate and a key that
 * do not belong together. The writer is the real `file` connector in a checked sandbox on
 * the local host, alternating between two real credentials; the reader is a separate process
 * reading the configured paths the way a server does (open the path, follow symlinks).
 *
 * A reader sample is `cert, key, cert again`: when both certificate reads agree, no swap
 * completed in between, so the key read at that moment must belong to that certificate. In
 * the InPlace layout the files are renamed one after the other and that check catches the
 * window; in the Atomic layout one rename swaps both, and it must never fire.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileConnector } from '../../../../src/connectors/file/file-connector.ts';
import { fileConfig } from '../../../../src/connectors/file/config.ts';
import { createSandbox, LocalHost } from '../../../../packages/connector-sdk/src/sandbox/index.ts';
import { mintCredential, type TestCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { makeTempDir, removeDir } from '../../sandbox/support/temp-dir.ts';

const READER = `
const fs = require('node:fs');
const [crt, key, a, b, ms] = process.argv.slice(1);
const want = [a, b].map((p) => ({ crt: fs.readFileSync(p + '.crt', 'utf8'), key: fs.readFileSync(p + '.key', 'utf8') }));
const which = (text, field) => want.findIndex((w) => w[field] === text);
const out = { samples: 0, consistent: 0, mismatched: 0, errors: 0 };
const until = Date.now() + Number(ms);
while (Date.now() < until) {
  try {
    const c1 = fs.readFileSync(crt, 'utf8');
    const k = fs.readFileSync(key, 'utf8');
    const c2 = fs.readFileSync(crt, 'utf8');
    out.samples++;
    if (c1 !== c2) continue;
    if (which(c1, 'crt') === which(k, 'key') && which(k, 'key') !== -1) out.consistent++;
    else out.mismatched++;
  } catch { out.errors++; }
}
process.stdout.write(JSON.stringify(out));
`;

let dir: string;
let creds: [TestCredential, TestCredential];

beforeEach(async () => {
  dir = await makeTempDir();
  await mkdir(join(dir, 'tls'));
  await mkdir(join(dir, 'want'));
  creds = [await mintCredential({ intermediates: 1 }), await mintCredential({ intermediates: 1 })];
}, 30_000);
afterEach(() => removeDir(dir));

interface Outcome {
  readonly samples: number;
  readonly consistent: number;
  readonly mismatched: number;
  readonly deploys: number;
}

async function storm(layout: 'Atomic' | 'InPlace', ms: number): Promise<Outcome> {
  const crt = join(dir, 'tls', 'tls.crt');
  const key = join(dir, 'tls', 'tls.key');
  const connector = createFileConnector(fileConfig.parse({ certificatePath: crt, privateKeyPath: key, layout }));
  const sandbox = createSandbox({ grant: connector.capabilities(), host: new LocalHost() });
  const signal = new AbortController().signal;
  const ctx = { ownerId: 'atomic-pair-test' };
  // Seed one credential, and give the reader what each credential's files must contain.
  await connector.deploy(signal, sandbox, creds[0].deployment, ctx);
  for (const [i, name] of ['a', 'b'].entries()) {
    const c = creds[i] as TestCredential;
    await writeFile(join(dir, 'want', `${name}.crt`), c.deployment.chainPem.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join(''));
    await writeFile(join(dir, 'want', `${name}.key`), c.deployment.privateKey.reveal());
  }
  const reader = spawn(process.execPath, ['-e', READER, crt, key, join(dir, 'want', 'a'), join(dir, 'want', 'b'), String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  reader.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<void>((resolve) => reader.once('exit', () => resolve()));
  let deploys = 0;
  let running = true;
  void exited.then(() => (running = false));
  while (running) {
    await connector.deploy(signal, sandbox, creds[(deploys + 1) % 2]!.deployment, ctx);
    deploys++;
  }
  await exited;
  await sandbox.close();
  return { ...(JSON.parse(stdout) as Omit<Outcome, 'deploys'>), deploys };
}

describe('certificate and key during a rotation storm (file connector, real reader process)', () => {
  it('Atomic: the reader never sees a mismatched pair', async () => {
    const o = await storm('Atomic', 4000);
    expect(o.deploys).toBeGreaterThan(20);
    expect(o.consistent).toBeGreaterThan(100);
    expect(o.mismatched).toBe(0);
  }, 60_000);

  it('InPlace (the old layout) does expose mismatched pairs: the check above can fail', async () => {
    const o = await storm('InPlace', 4000);
    expect(o.deploys).toBeGreaterThan(20);
    expect(o.mismatched).toBeGreaterThan(0);
  }, 60_000);
});
