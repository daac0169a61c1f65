/**
 * The chart README is generated from the values' `# --` comments by helm-docs (built from its
 * Go module by hack/lib.sh `ensure_helm_docs`): the committed file must be exactly what
 * hack/gen-chart-readme.sh writes now, and every value must carry a description, so a new value
 * without one, or a comment changed without regenerating, fails CI.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHART_DIR, REPO_ROOT } from './helm-cli.ts';

let helmDocs = '';
let generated = '';

beforeAll(() => {
  helmDocs = process.env.CD_HELM_DOCS ?? execFileSync('bash', ['-c', 'source hack/lib.sh && ensure_helm_docs && echo "$CD_HELM_DOCS"'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  // --dry-run prints the README instead of writing it.
  generated = execFileSync(helmDocs, ['--dry-run', '--chart-search-root', '.', '--template-files', 'README.md.gotmpl', '--log-level', 'warning'], { cwd: CHART_DIR, encoding: 'utf8' });
}, 600_000);

describe('charts/cert-deployer/README.md', () => {
  it('is what helm-docs generates from values.yaml now (run hack/gen-chart-readme.sh)', async () => {
    expect(generated).toContain('## Values');
    expect(await readFile(join(CHART_DIR, 'README.md'), 'utf8')).toBe(generated);
  });

  it('describes every value', () => {
    const rows = generated.split('\n').filter((l) => /^\| [a-zA-Z]/.test(l) && !l.startsWith('| Key '));
    expect(rows.length).toBeGreaterThan(50);
    // A `|` in a description would split its row (helm-docs does not escape it).
    expect(rows.filter((r) => r.split('|').length !== 6)).toEqual([]);
    const undocumented = rows.map((r) => r.split('|').map((c) => c.trim())).filter((c) => c[4] === '').map((c) => c[1]);
    expect(undocumented).toEqual([]);
  });

  it('lists the extension points users look for', () => {
    for (const key of ['extraArgs', 'extraEnv', 'volumes', 'volumeMounts', 'podSecurityContext', 'securityContext', 'networkPolicy.enabled', 'rbac.aggregateClusterRoles', 'tests.enabled']) {
      expect(generated, key).toContain(`| ${key} |`);
    }
  });
});
