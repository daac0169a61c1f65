/**
 * The benchmark harness at tiny scale (`node test/bench/run.ts --smoke`): every scenario runs on
 * its own control plane with the real controller process (src/main.ts, so no build is needed)
 * and, when its binary is built (hack/lib.sh ensure_peers), the peer. Checks the shape of what
 * it writes — well-formed JSON, every section either skipped with a reason or with non-empty
 * tables, the Markdown page regenerated from it — never timings (performance is reported as
 * numbers in docs/benchmarks.md, not asserted).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { BenchReport } from '../../bench/harness/report.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);
const peer = process.env.CD_PEER_CERT_MANAGER_SYNC;

describe('npm run bench -- --smoke', () => {
  let dir = '';
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  it('writes a well-formed report whose sections have tables, and the page from it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cd-bench-smoke-'));
    const out = join(dir, 'bench.json');
    const doc = join(dir, 'bench.md');
    const args = ['--import', join(root, 'hack/sdk-from-source.ts'), join(root, 'test/bench/run.ts'), '--smoke', '--controller-entry', join(root, 'src/main.ts'), '--out', out, '--doc', doc,
      ...(peer && existsSync(peer) ? ['--peer', peer] : ['--no-peer'])];
    await run(process.execPath, args, { env: { ...process.env, CD_K8S_BIN_DIR: inject('k8sBinDir') }, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 });

    const report = JSON.parse(await readFile(out, 'utf8')) as BenchReport;
    expect(report.version).toBe(1);
    expect(report.meta.mode).toBe('smoke');
    const ids = report.sections.map((s) => s.id);
    expect(ids).toEqual(['peer', 'scale', 'restart', 'scale-10k', 'unrelated', 'servers', 'targets', 'profile']);
    for (const s of report.sections) {
      if (s.skipped !== undefined) {
        expect(s.skipped.length, s.id).toBeGreaterThan(0);
        continue;
      }
      expect(s.tables.length, s.id).toBeGreaterThan(0);
      for (const t of s.tables) {
        expect(t.rows.length, s.id).toBeGreaterThan(0);
        for (const r of t.rows) expect(r.length, s.id).toBe(t.header.length);
      }
    }
    const ran = new Set(report.sections.filter((s) => s.skipped === undefined).map((s) => s.id));
    expect([...ran]).toEqual(expect.arrayContaining(['scale', 'restart', 'unrelated', 'servers', 'targets', 'profile', ...(peer && existsSync(peer) ? ['peer'] : [])]));

    const md = await readFile(doc, 'utf8');
    expect(md).toContain('npm run bench -- --smoke');
    for (const s of report.sections) expect(md).toContain(`## ${s.title}`);
  }, 180_000);
});
