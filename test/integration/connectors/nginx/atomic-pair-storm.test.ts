/**
 * Issue 12: the certificate and key never mismatch for a REAL nginx during a rotation storm with
 * `layout: Atomic`, and the same run shows how InPlace does. Per layout, one real nginx 1.22
 * instance; the writer is the real `nginx` connector in a checked sandbox (write → `nginx -t` →
 * `nginx -s reload`, alternating two credentials as fast as it can); three independent readers
 * look at the pair while it rotates:
 *  - a reader process reading the configured paths as nginx does (open, follow symlinks):
 *    `cert, key, cert again`, a sample counts when both certificate reads agree;
 *  - a loop of `nginx -t` on the same instance configuration: nginx itself loading the pair,
 *    failing with "key values mismatch" when the two files do not belong together;
 *  - SIGHUP to the nginx master every 25 ms (an outside reload: logrotate, another operator):
 *    a reload that read a mismatched pair logs `key values mismatch` and keeps the old one.
 * At the end nginx must serve the last deployed certificate (handshake).
 *
 * What Atomic guarantees, and what this test asserts: the pair on disk is consistent at every
 * instant (one `..data` rename swaps both), so the reader never sees a mismatch and the
 * connector's own `nginx -t` and reload (which run after the swap) never fail. What it cannot
 * guarantee: nginx opens the two paths one after the other, and when an OUTSIDE load (the
 * `nginx -t` loop, the SIGHUPs) straddles a swap it pairs the old certificate with the new key.
 * nginx then refuses that load ("key values mismatch") and keeps serving the previous pair, so
 * nothing breaks, but the count is not zero; it is reported next to InPlace's from the same run
 * (numbers, not timing). A single file holding key and chain (one open) would close that too.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxConnector } from '../../../../src/connectors/nginx/index.ts';
import { createSandbox, LocalHost } from '@cert-deployer/connector-sdk/sandbox';
import { mintCredential, type TestCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { startNginx } from '../../../support/servers/nginx.ts';
import type { WebServer } from '../../../support/servers/web-server.ts';
import { waitUntilServed } from '../../../support/servers/tls-served.ts';
import { makeTempDir, removeDir } from '../../../unit/sandbox/support/temp-dir.ts';

/** Reader: which credential each file belongs to, by the first base64 line of its PEM. */
const READER = `
const fs = require('node:fs');
const [crt, key, ms, ...marks] = process.argv.slice(1);
const certMarks = [marks[0], marks[1]], keyMarks = [marks[2], marks[3]];
const which = (text, m) => m.findIndex((x) => text.includes(x));
const out = { samples: 0, consistent: 0, mismatched: 0, errors: 0 };
const until = Date.now() + Number(ms);
while (Date.now() < until) {
  try {
    const c1 = fs.readFileSync(crt, 'utf8'), k = fs.readFileSync(key, 'utf8'), c2 = fs.readFileSync(crt, 'utf8');
    out.samples++;
    if (c1 !== c2) continue;
    const a = which(c1, certMarks), b = which(k, keyMarks);
    if (a !== -1 && a === b) out.consistent++; else out.mismatched++;
  } catch { out.errors++; }
}
process.stdout.write(JSON.stringify(out));
`;

/** `nginx -t` in a loop: nginx's own loader judging the pair on disk. */
const CONFIG_TESTER = `
const { spawnSync } = require('node:child_process');
const [ms, ...argv] = process.argv.slice(1);
const out = { runs: 0, ok: 0, keyMismatch: 0, otherFailures: 0 };
const until = Date.now() + Number(ms);
while (Date.now() < until) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  out.runs++;
  if (r.status === 0) out.ok++;
  else if (/key values mismatch/.test(r.stderr)) out.keyMismatch++;
  else out.otherFailures++;
}
process.stdout.write(JSON.stringify(out));
`;

const marker = (pem: string) => pem.trim().split('\n')[1] ?? '';

interface StormResult {
  readonly layout: string;
  readonly deploys: number;
  /** Deploys of the connector itself that failed (its own config test or reload refused). */
  readonly deployFailures: number;
  readonly reader: { samples: number; consistent: number; mismatched: number; errors: number };
  readonly configTest: { runs: number; ok: number; keyMismatch: number; otherFailures: number };
  readonly outsideReloads: number;
  readonly reloadKeyMismatches: number;
  readonly servedLast: boolean;
}

function runNode(script: string, args: string[]): Promise<string> {
  const p = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => p.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`reader exited ${code}`)))));
}

let base: string;
let creds: [TestCredential, TestCredential];
const results: StormResult[] = [];

beforeAll(async () => {
  base = await makeTempDir();
  creds = [await mintCredential({ intermediates: 1 }), await mintCredential({ intermediates: 1 })];
}, 60_000);
afterAll(async () => {
  // The numbers the issue asks for, side by side from the same run.
  console.log(`atomic-pair storm on real nginx:\n${results.map((r) => JSON.stringify(r)).join('\n')}`);
  await removeDir(base);
});

async function storm(layout: 'Atomic' | 'InPlace', ms: number): Promise<StormResult> {
  const dir = join(base, layout);
  await mkdir(join(dir, 'tls'), { recursive: true });
  const files = { certificatePath: join(dir, 'tls', 'tls.crt'), privateKeyPath: join(dir, 'tls', 'tls.key') };
  let server: WebServer | undefined;
  try {
    // nginx starts on a bootstrap pair and is pointed at the real paths; the first deploy fills them.
    server = await startNginx({ files, dir: join(dir, 'server') });
    const connector = nginxConnector.create(nginxConnector.configSchema.parse({
      ...files, layout, configTest: [...server.configTestArgv], reload: [...server.reloadArgv],
    }));
    const sandbox = createSandbox({ grant: connector.capabilities(), host: new LocalHost() });
    const signal = new AbortController().signal;
    const ctx = { ownerId: 'atomic-pair-storm' };
    await connector.deploy(signal, sandbox, creds[0].deployment, ctx);
    const logBefore = (await server.errorLog()).length;
    const pid = Number((await readFile(server.pidPath, 'utf8')).trim());

    const marks = [marker(creds[0].deployment.certificatePem), marker(creds[1].deployment.certificatePem), marker(creds[0].deployment.privateKey.reveal()), marker(creds[1].deployment.privateKey.reveal())];
    const reader = runNode(READER, [files.certificatePath, files.privateKeyPath, String(ms), ...marks]);
    const tester = runNode(CONFIG_TESTER, [String(ms), ...server.configTestArgv]);
    let running = true;
    const both = Promise.all([reader, tester]).finally(() => (running = false));
    let outsideReloads = 0;
    const hup = setInterval(() => {
      try {
        process.kill(pid, 'SIGHUP');
        outsideReloads++;
      } catch { /* master restarting: next tick */ }
    }, 25);
    let deploys = 0;
    let deployFailures = 0;
    try {
      while (running) {
        // Counted, not thrown: InPlace's own config test can catch its own half-written pair's neighbour.
        await connector.deploy(signal, sandbox, creds[(deploys + 1) % 2]!.deployment, ctx).catch(() => deployFailures++);
        deploys++;
      }
    } finally {
      clearInterval(hup);
    }
    const [r, t] = await both;
    // Settle on a known credential, then nginx must serve it.
    const last = creds[deploys % 2]!;
    await connector.deploy(signal, sandbox, last.deployment, ctx);
    const servedLast = (await waitUntilServed(server.address, 'conformance.example.test', last.deployment.fingerprint, 30_000)) === last.deployment.fingerprint;
    await sandbox.close();
    const log = (await server.errorLog()).slice(logBefore);
    return {
      layout, deploys, deployFailures, reader: JSON.parse(r), configTest: JSON.parse(t), outsideReloads,
      reloadKeyMismatches: (log.match(/key values mismatch/g) ?? []).length, servedLast,
    };
  } finally {
    await server?.stop();
  }
}

describe('certificate and key during a rotation storm on a real nginx', () => {
  it('Atomic: the pair on disk never mismatches, the connector\'s own test and reload never fail, nginx serves the last one', async () => {
    const o = await storm('Atomic', 5000);
    results.push(o);
    expect(o.deploys).toBeGreaterThan(5);
    expect(o.reader.consistent).toBeGreaterThan(100);
    expect(o.configTest.ok).toBeGreaterThan(5);
    expect(o.reader.mismatched).toBe(0);
    expect(o.deployFailures).toBe(0);
    expect(o.configTest.otherFailures).toBe(0);
    expect(o.servedLast).toBe(true);
  }, 120_000);

  it('InPlace (the old layout), same storm: the checks above can fail, and the counts are reported', async () => {
    const o = await storm('InPlace', 5000);
    results.push(o);
    expect(o.deploys).toBeGreaterThan(5);
    expect(o.servedLast).toBe(true);
    // The fast reader catches the window between the two renames; nginx's own checks may or may not.
    expect(o.reader.mismatched + o.configTest.keyMismatch + o.reloadKeyMismatches).toBeGreaterThan(0);
  }, 120_000);
});
