/**
 * The release workflow cannot run here (it pushes to GHCR and signs with GitHub's OIDC token),
 * so CI checks what can be checked: actionlint (built from the Go module proxy, with shellcheck
 * over every `run:` script) finds nothing, every action is pinned by a full commit SHA, and every
 * job states its own permissions under a workflow-wide `permissions: {}`. A deliberately broken
 * copy must make actionlint fail, so a linter that silently checks nothing fails this test.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);
const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
let actionlint = '';
let dir = '';

/** actionlint's exit code and output for `files` (run from the repository root). */
async function lint(files: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(actionlint, ['-no-color', ...files], { cwd: REPO_ROOT });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(() => {
  actionlint = process.env.CD_ACTIONLINT ?? execFileSync('bash', ['-c', 'source hack/lib.sh && ensure_actionlint && echo "$CD_ACTIONLINT"'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
}, 600_000);
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('the release workflow', () => {
  it('passes actionlint', async () => {
    const files = (await readdir(WORKFLOWS)).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(WORKFLOWS, f));
    expect(files.map((f) => f.split('/').pop())).toContain('release.yml');
    const { code, out } = await lint(files);
    expect(out).toBe('');
    expect(code).toBe(0);
  });

  it('fails actionlint when a step reads an output that does not exist', async () => {
    const text = await readFile(join(WORKFLOWS, 'release.yml'), 'utf8');
    const broken = text.replace('${{ steps.build.outputs.digest }}', '${{ steps.missing.outputs.digest }}');
    expect(broken).not.toBe(text);
    dir = await mkdtemp(join(tmpdir(), 'cd-actionlint-'));
    await writeFile(join(dir, 'release.yml'), broken);
    const { code, out } = await lint([join(dir, 'release.yml')]);
    expect(code).not.toBe(0);
    expect(out).toMatch(/steps\.missing|property "missing"/);
  });

  it('pins every action by full commit SHA and gives each job only its own permissions', async () => {
    const wf = parse(await readFile(join(WORKFLOWS, 'release.yml'), 'utf8')) as {
      permissions: unknown;
      jobs: Record<string, { permissions?: Record<string, string>; steps: { uses?: string }[] }>;
    };
    expect(wf.permissions).toEqual({});
    const uses = Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.uses).filter((u): u is string => u !== undefined));
    expect(uses.length).toBeGreaterThan(5);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect(job.permissions, name).toBeDefined();
      expect(Object.values(job.permissions!).every((v) => v === 'read' || v === 'write'), name).toBe(true);
    }
    expect(wf.jobs.image?.permissions).toEqual({ contents: 'read', packages: 'write', 'id-token': 'write' });
  });
});
