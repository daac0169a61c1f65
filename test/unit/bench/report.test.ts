/**
 * The benchmark report's pure parts: the Markdown page from a report (tables, the command to
 * reproduce, skipped sections say why), the API-request parsing and differences, and the
 * target table (met / NOT met with the numbers).
 */
import { describe, expect, it } from 'vitest';
import { diffCounts, parseRequestTotals, sumVerbs } from '../../bench/harness/apiserver-requests.ts';
import { percentile, renderMarkdown, type BenchReport } from '../../bench/harness/report.ts';
import { targets } from '../../bench/harness/targets.ts';

const meta: BenchReport['meta'] = {
  startedAt: '2026-12-05T00:00:00Z', seconds: 1, mode: 'smoke', command: 'npm run bench -- --smoke', commit: 'abc', node: 'v26.12.1',
  cpus: 2, cpuModel: 'cpu', loadAverage: [1, 2, 3], controllerNodeFlags: ['--max-semi-space-size=2'], controllerEntry: 'dist/src/main.js', concurrency: 4,
};

describe('renderMarkdown', () => {
  it('writes the command, each table with a header row, and why a section was skipped', () => {
    const md = renderMarkdown({ version: 1, meta, sections: [
      { id: 'a', title: 'A', note: 'note a', tables: [{ header: ['x', 'y|z'], rows: [['1', '2']] }], data: {} },
      { id: 'b', title: 'B', note: '', tables: [], data: null, skipped: 'because' },
    ] });
    expect(md).toContain('```sh\nnpm run bench -- --smoke\n```');
    expect(md).toContain('| x | y\\|z |\n|---|---|\n| 1 | 2 |');
    expect(md).toContain('## B\n\n\n\nSkipped: because');
    expect(md).toContain('`node --max-semi-space-size=2 dist/src/main.js`');
  });
});

describe('apiserver_request_total', () => {
  const text = [
    '# HELP apiserver_request_total x',
    'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="secrets",scope="resource",subresource="",verb="GET",version="v1"} 7',
    'apiserver_request_total{code="404",component="apiserver",dry_run="",group="",resource="secrets",scope="resource",subresource="",verb="GET",version="v1"} 1',
    'apiserver_request_total{code="200",component="apiserver",dry_run="",group="certdeployer.io",resource="certificatedeployments",scope="resource",subresource="status",verb="PUT",version="v1alpha1"} 3',
    'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="",scope="",subresource="/readyz",verb="GET",version=""} 9',
  ].join('\n');
  it('sums per verb and resource (codes merged), leaves out non-resource requests', () => {
    expect(parseRequestTotals(text)).toEqual({ 'GET secrets': 8, 'PUT certificatedeployments/status': 3 });
  });
  it('differences drop the harness\'s own requests and zeros', () => {
    const d = diffCounts({ 'GET secrets': 2 }, { 'GET secrets': 8, 'PUT secrets': 5, 'LIST x': 1 }, { 'PUT secrets': 5 });
    expect(d).toEqual({ 'GET secrets': 6, 'LIST x': 1 });
    expect(sumVerbs(d, ['GET', 'LIST'])).toBe(7);
  });
  it('percentile is nearest-rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 0.99)).toBe(5);
  });
});

describe('targets', () => {
  it('says met or NOT met with the raw numbers', () => {
    const restart = { n: 1000, seconds: 3, connectorCalls: 0, statusWrites: 0, apiReads: 4, secretGets: 0, requests: {} };
    const t = targets([
      { id: 'restart', title: '', note: '', tables: [], data: restart },
      { id: 'unrelated', title: '', note: '', tables: [], data: { n: 1000, m: 10000, cost: { peakRssMiB: 160, children: { peakRssSumMiB: 0 } } } },
    ]);
    const rows = t.tables[0]!.rows;
    expect(rows.find((r) => r[0]!.startsWith('restart over 1000 Ready: ≤ 1'))?.[3]).toBe('met');
    expect(rows.find((r) => r[0]!.startsWith('peak RSS ≤ 150 MiB'))).toEqual(['peak RSS ≤ 150 MiB (1000 deployments + 10000 unrelated Secrets)', '160 MiB (controller 160 + workers 0)', '150 MiB', 'NOT met']);
  });
});
