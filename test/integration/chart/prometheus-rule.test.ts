/**
 * The chart's alert rules and dashboard, checked by the tools that consume them: the
 * PrometheusRule rendered by the real `helm template` is loaded by `promtool check rules`, and
 * `promtool test rules` evaluates every alert against synthetic series that must fire it and
 * series that must not. Every series the rules and the dashboard query must exist in the
 * controller's registry and in docs/metrics.md, so a renamed metric cannot silently break them.
 * promtool comes from Debian's `prometheus` package (hack/test.sh installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/controller/metrics.ts';
import { CHART_DIR, REPO_ROOT, createHelmCli, findOne, type HelmCli } from './helm-cli.ts';

const PROMTOOL = '/usr/bin/promtool';
let cli: HelmCli;
let dir = '';

interface Rule { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }
interface Group { name: string; rules: Rule[] }

beforeAll(async () => {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: apt-get install prometheus (hack/test.sh does)`);
  cli = await createHelmCli();
  dir = await mkdtemp(join(tmpdir(), 'cd-promtool-'));
});
afterAll(async () => {
  await cli?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function promtool(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }));
  });
}

async function renderGroups(values: unknown = {}): Promise<Group[]> {
  const rule = findOne(await cli.render({ prometheusRule: { enabled: true }, ...(values as object) }), 'PrometheusRule');
  return (rule.spec as { groups: Group[] }).groups;
}

const exported = (labels: Record<string, string>) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
const target = { namespace: 'shop', name: 'web', target: 'edge-1', connector: 'nginx' };
const runbook = (a: string) => `https://github.com/cert-deployer/cert-deployer/blob/main/docs/operations.md#${a.toLowerCase()}`;

/** One promtool test case per alert: series that fire it, and series that must not. */
function cases() {
  return [
    {
      interval: '1m',
      input_series: [
        { series: `cert_deployer_target_ready${exported(target)}`, values: '0x30' },
        { series: `cert_deployer_target_ready${exported({ ...target, target: 'ok' })}`, values: '1x30' },
        { series: `cert_deployer_target_ready${exported({ ...target, target: 'flapped' })}`, values: '0x9 1x20' },
        { series: `cert_deployer_target_ready${exported({ ...target, namespace: 'cert-deployer', exported_namespace: 'payments', target: 'relabelled' })}`, values: '0x30' },
      ],
      alert_rule_test: [
        { eval_time: '14m', alertname: 'CertDeployerTargetNotReady', exp_alerts: [] },
        {
          eval_time: '16m', alertname: 'CertDeployerTargetNotReady',
          exp_alerts: [
            { exp_labels: { severity: 'warning', ...target }, exp_annotations: { summary: 'A certificate target has not been Ready for 15m', description: 'Target edge-1 (nginx) of CertificateDeployment shop/web is not Ready. See kubectl certdeploy status web.', runbook_url: runbook('CertDeployerTargetNotReady') } },
            { exp_labels: { severity: 'warning', ...target, namespace: 'cert-deployer', exported_namespace: 'payments', target: 'relabelled' }, exp_annotations: { summary: 'A certificate target has not been Ready for 15m', description: 'Target relabelled (nginx) of CertificateDeployment payments/web is not Ready. See kubectl certdeploy status web.', runbook_url: runbook('CertDeployerTargetNotReady') } },
          ],
        },
      ],
    },
    {
      interval: '1m',
      input_series: [
        { series: `cert_deployer_target_served_certificate_expiry_timestamp_seconds${exported(target)}`, values: `${10 * 86400}x30` },
        { series: `cert_deployer_target_served_certificate_expiry_timestamp_seconds${exported({ ...target, target: 'fresh' })}`, values: `${30 * 86400}x30` },
      ],
      alert_rule_test: [
        { eval_time: '5m', alertname: 'CertDeployerServedCertificateExpiringSoon', exp_alerts: [] },
        {
          eval_time: '11m', alertname: 'CertDeployerServedCertificateExpiringSoon',
          exp_alerts: [{ exp_labels: { severity: 'critical', ...target }, exp_annotations: { summary: 'A target serves a certificate that expires within 14 days', description: 'Target edge-1 (nginx) of CertificateDeployment shop/web served a certificate that expires in 9d 23h 49m 0s, as seen at its last verification.', runbook_url: runbook('CertDeployerServedCertificateExpiringSoon') } }],
        },
      ],
    },
    {
      interval: '1m',
      input_series: [
        { series: 'cert_deployer_deploys_total{connector="nginx",result="DeployFailed"}', values: '0+1x40' },
        { series: 'cert_deployer_deploys_total{connector="nginx",result="success"}', values: '0+5x40' },
        { series: 'cert_deployer_deploys_total{connector="haproxy",result="VerifyFailed"}', values: '0x20 1x20' },
      ],
      alert_rule_test: [
        { eval_time: '3m', alertname: 'CertDeployerDeployFailures', exp_alerts: [] },
        {
          eval_time: '35m', alertname: 'CertDeployerDeployFailures',
          exp_alerts: [{ exp_labels: { severity: 'warning', connector: 'nginx', result: 'DeployFailed' }, exp_annotations: { summary: 'Deploys are failing', description: '30 nginx deploys failed with DeployFailed in the last 30m.', runbook_url: runbook('CertDeployerDeployFailures') } }],
        },
      ],
    },
    {
      interval: '1m',
      input_series: [
        { series: 'cert_deployer_watch_last_activity_timestamp_seconds{informer="secrets"}', values: '0x30' },
        { series: 'cert_deployer_watch_last_activity_timestamp_seconds{informer="certificatedeployments"}', values: '0+60x30' },
      ],
      alert_rule_test: [
        { eval_time: '14m', alertname: 'CertDeployerWatchStale', exp_alerts: [] },
        {
          eval_time: '16m', alertname: 'CertDeployerWatchStale',
          exp_alerts: [{ exp_labels: { severity: 'warning', informer: 'secrets' }, exp_annotations: { summary: 'A cert-deployer watch has heard nothing from the API server', description: 'Watch secrets has seen no event or bookmark for more than 600 s: changes to Secrets or CertificateDeployments may go unnoticed.', runbook_url: runbook('CertDeployerWatchStale') } }],
        },
      ],
    },
    ...[
      // Stuck: keys queued, the reconcile counter flat.
      { series: [['workqueue_depth{controller="certificatedeployment",name="certificatedeployment"}', '2x60'], ['controller_runtime_reconcile_total{controller="certificatedeployment",result="success"}', '7x60']], fires: true },
      // Stuck before the first reconcile ever finished: the counter does not exist yet.
      { series: [['workqueue_depth{controller="certificatedeployment",name="certificatedeployment"}', '1x60']], fires: true },
      // Busy but moving.
      { series: [['workqueue_depth{controller="certificatedeployment",name="certificatedeployment"}', '2x60'], ['controller_runtime_reconcile_total{controller="certificatedeployment",result="success"}', '0+1x60']], fires: false },
      // Idle: nothing queued, nothing reconciled.
      { series: [['workqueue_depth{controller="certificatedeployment",name="certificatedeployment"}', '0x60'], ['controller_runtime_reconcile_total{controller="certificatedeployment",result="success"}', '7x60']], fires: false },
      // Another controller's stuck queue is not ours.
      { series: [['workqueue_depth{controller="other",name="other"}', '5x60'], ['workqueue_depth{controller="certificatedeployment",name="certificatedeployment"}', '0x60']], fires: false },
    ].map((c) => ({
      interval: '1m',
      input_series: c.series.map(([series, values]) => ({ series, values })),
      alert_rule_test: [{
        eval_time: '40m', alertname: 'CertDeployerReconcileStalled',
        exp_alerts: c.fires ? [{ exp_labels: { severity: 'warning' }, exp_annotations: { summary: 'Work is queued but nothing is reconciled', description: 'CertificateDeployments wait in the work queue and no reconcile finished for 15m.', runbook_url: runbook('CertDeployerReconcileStalled') } }] : [],
      }],
    })),
    ...[
      { series: [['leader_election_master_status{name="cert-deployer-controller",instance="a"}', '0x20'], ['leader_election_master_status{name="cert-deployer-controller",instance="b"}', '0x20']], fires: true },
      { series: [['leader_election_master_status{name="other-lease",instance="a"}', '1x20']], fires: true }, // ours absent
      { series: [['leader_election_master_status{name="cert-deployer-controller",instance="a"}', '0x20'], ['leader_election_master_status{name="cert-deployer-controller",instance="b"}', '1x20']], fires: false },
      { series: [['leader_election_master_status{name="cert-deployer-controller",instance="a"}', '0x2 1x18']], fires: false }, // brief handover
    ].map((c) => ({
      interval: '1m',
      input_series: c.series.map(([series, values]) => ({ series, values })),
      alert_rule_test: [{
        eval_time: '10m', alertname: 'CertDeployerNoLeader',
        exp_alerts: c.fires ? [{ exp_labels: { severity: 'critical', name: 'cert-deployer-controller' }, exp_annotations: { summary: 'No cert-deployer replica leads', description: 'No replica has held the Lease cert-deployer-controller for 5m (or none is scraped): certificates are not deployed.', runbook_url: runbook('CertDeployerNoLeader') } }] : [],
      }],
    })),
  ];
}

describe('PrometheusRule', () => {
  it('is not rendered by default, and rendered with every alert when enabled', async () => {
    expect((await cli.render({})).map((m) => m.kind)).not.toContain('PrometheusRule');
    expect((await renderGroups()).flatMap((g) => g.rules.map((r) => r.alert))).toEqual([
      'CertDeployerTargetNotReady', 'CertDeployerServedCertificateExpiringSoon', 'CertDeployerDeployFailures', 'CertDeployerWatchStale', 'CertDeployerReconcileStalled', 'CertDeployerNoLeader',
    ]);
  });

  it('passes promtool check rules, and promtool test rules fires each alert exactly when it should', async () => {
    await writeFile(join(dir, 'rules.yaml'), JSON.stringify({ groups: await renderGroups() }));
    const check = await promtool(['check', 'rules', 'rules.yaml']);
    expect(check.out).toContain('SUCCESS: 6 rules found');
    expect(check.code, check.out).toBe(0);
    await writeFile(join(dir, 'tests.yaml'), JSON.stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests: cases() }));
    const test = await promtool(['test', 'rules', 'tests.yaml']);
    expect(test.out).toContain('SUCCESS');
    expect(test.code, test.out).toBe(0);
  });

  it('promtool test rules fails when an expectation is wrong (the harness can fail)', async () => {
    await writeFile(join(dir, 'rules.yaml'), JSON.stringify({ groups: await renderGroups() }));
    const wrong = cases().slice(0, 1).map((c) => ({ ...c, alert_rule_test: [{ eval_time: '16m', alertname: 'CertDeployerTargetNotReady', exp_alerts: [] }] }));
    await writeFile(join(dir, 'wrong.yaml'), JSON.stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests: wrong }));
    const test = await promtool(['test', 'rules', 'wrong.yaml']);
    expect(test.code).not.toBe(0);
    expect(test.out).toContain('CertDeployerTargetNotReady');
  });

  it('follows the values: thresholds, labels, a disabled alert, the Lease name', async () => {
    const manifests = await cli.render({
      prometheusRule: {
        enabled: true, labels: { release: 'kps' }, alertLabels: { team: 'edge' },
        rules: { servedCertificateExpiry: { days: 3 }, deployFailures: { window: '1h', threshold: 10 }, watchStale: { enabled: false } },
      },
      leaderElection: { id: 'my-lease' },
    });
    const rule = findOne(manifests, 'PrometheusRule');
    expect(rule.metadata.labels).toMatchObject({ release: 'kps' });
    const rules = new Map((rule.spec as { groups: Group[] }).groups[0]!.rules.map((r) => [r.alert, r]));
    expect(rules.has('CertDeployerWatchStale')).toBe(false);
    expect(rules.get('CertDeployerServedCertificateExpiringSoon')!.expr).toContain('< 3 * 86400');
    expect(rules.get('CertDeployerDeployFailures')!.expr).toMatch(/\[1h\]\)\) > 10$/);
    expect(rules.get('CertDeployerNoLeader')!.expr).toContain('name="my-lease"');
    for (const r of rules.values()) expect(r.labels).toMatchObject({ team: 'edge' });
  });

  it('rejects unknown keys and bad durations', async () => {
    for (const bad of [{ prometheusRule: { enabeld: true } }, { prometheusRule: { rules: { targetNotReady: { for: 'soon' } } } }, { prometheusRule: { rules: { nope: {} } } }, { grafanaDashboard: { label: {} } }]) {
      const r = await cli.tryRender(bad);
      expect(r.code, JSON.stringify(bad)).not.toBe(0);
    }
  });
});

describe('Grafana dashboard', () => {
  it('is a ConfigMap with the sidecar label only when enabled, holding the same JSON as docs/', async () => {
    expect((await cli.render({})).map((m) => m.kind)).not.toContain('ConfigMap');
    const cm = findOne(await cli.render({ grafanaDashboard: { enabled: true, namespace: 'monitoring', annotations: { grafana_folder: 'Certificates' } } }), 'ConfigMap');
    expect(cm.metadata).toMatchObject({ namespace: 'monitoring', labels: { grafana_dashboard: '1' }, annotations: { grafana_folder: 'Certificates' } });
    const json = (cm.data as Record<string, string>)['cert-deployer.json']!;
    expect(JSON.parse(json)).toEqual(JSON.parse(await readFile(join(REPO_ROOT, 'docs', 'grafana-dashboard.json'), 'utf8')));
    expect(await readFile(join(CHART_DIR, 'dashboards', 'cert-deployer.json'), 'utf8')).toBe(await readFile(join(REPO_ROOT, 'docs', 'grafana-dashboard.json'), 'utf8'));

    // The leader panel reads the Lease the release actually uses.
    const renamed = findOne(await cli.render({ grafanaDashboard: { enabled: true }, leaderElection: { id: 'my-lease' } }), 'ConfigMap');
    const vars = (JSON.parse((renamed.data as Record<string, string>)['cert-deployer.json']!) as { templating: { list: { name: string; query: string }[] } }).templating.list;
    expect(vars.find((v) => v.name === 'lease')?.query).toBe('my-lease');
  });
});

describe('every series the rules and the dashboard query exists and is documented', () => {
  it('names only metrics the controller registers and docs/metrics.md lists', async () => {
    const dashboard = await readFile(join(REPO_ROOT, 'docs', 'grafana-dashboard.json'), 'utf8');
    const exprs = [...(await renderGroups()).flatMap((g) => g.rules.map((r) => r.expr)), ...[...dashboard.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string)];
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:cert_deployer|controller_runtime|workqueue|leader_election)_[a-z_]+)/g)].map((m) => m[1]!)));
    expect(used.size).toBeGreaterThan(8);
    const registered = new Set((await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name));
    const docs = await readFile(join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8');
    for (const name of used) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      expect(registered, name).toContain(base);
      expect(docs, name).toContain(`\`${base}\``);
    }
  });
});
