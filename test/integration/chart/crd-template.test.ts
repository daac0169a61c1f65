/**
 * The CRD template: its source copy inside the chart equals the generated deploy/crds file
 * (Helm can only read files inside the chart), the round trip through Helm's fromYaml/toYaml
 * keeps the schema intact, `crds.keep` protects it from `helm uninstall`, the real apiserver
 * accepts the rendered object, and Helm will not silently take over a CRD applied by hand.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestNamespace } from '../../support/kube.ts';
import { CHART_DIR, REPO_ROOT, createHelmCli, findOne, parseManifests, type HelmCli } from './helm-cli.ts';

const CRD_FILE = 'certificatedeployments.certdeployer.io.yaml';
const CRD_NAME = 'certificatedeployments.certdeployer.io';

let cli: HelmCli;
beforeAll(async () => {
  cli = await createHelmCli();
});
afterAll(async () => {
  await cli.dispose();
});

describe('CRD source copy', () => {
  it(`charts/cert-deployer/crds-src/${CRD_FILE} is byte-identical to deploy/crds/${CRD_FILE}`, async () => {
    const generated = await readFile(join(REPO_ROOT, 'deploy', 'crds', CRD_FILE), 'utf8');
    const copy = await readFile(join(CHART_DIR, 'crds-src', CRD_FILE), 'utf8');
    // On failure: run `npm run gen:crds` (or copy deploy/crds/<file> into charts/cert-deployer/crds-src/).
    expect(copy === generated, `crds-src/${CRD_FILE} is out of date with deploy/crds; copy the generated file into the chart`).toBe(true);
  });
});

describe('CRD template', () => {
  it('renders its source unchanged apart from labels and the keep annotation', async () => {
    const generated = parse(await readFile(join(CHART_DIR, 'crds-src', CRD_FILE), 'utf8')) as { spec: unknown; metadata: { labels: Record<string, string> } };
    const crd = findOne(await cli.render({}, { release: 'r1' }), 'CustomResourceDefinition', CRD_NAME);
    expect(crd.spec).toEqual(generated.spec);
    expect(crd.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    expect(crd.metadata.labels).toMatchObject({ ...generated.metadata.labels, 'app.kubernetes.io/instance': 'r1', 'app.kubernetes.io/managed-by': 'Helm' });
  });

  it('leaves out the keep annotation with crds.keep=false and the CRD with crds.enabled=false', async () => {
    const crd = findOne(await cli.render({ crds: { keep: false } }), 'CustomResourceDefinition', CRD_NAME);
    expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBeUndefined();
    expect((await cli.render({ crds: { enabled: false } })).filter((m) => m.kind === 'CustomResourceDefinition')).toEqual([]);
  });

  it('is accepted by the real apiserver (server-side dry run)', async () => {
    const r = await cli.helm(['template', 'r1', CHART_DIR, '--show-only', 'templates/crd.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseManifests(r.stdout)).toHaveLength(2); // CertificateDeployment and DeploymentPolicy
    const file = await cli.valuesFile(parseManifests(r.stdout).find((m) => (m.metadata as { name: string }).name === CRD_NAME));
    const applied = await cli.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager', 'chart-test', '--dry-run=server', '-o', 'json', '-f', file]);
    expect(applied.code, applied.stderr).toBe(0);
    const live = JSON.parse(applied.stdout) as { metadata: { name: string; annotations?: Record<string, string> } };
    expect(live.metadata.name).toBe(CRD_NAME);
    expect(live.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });

  it('refuses to adopt a CRD installed outside Helm, and leaves it untouched (docs/install.md)', async () => {
    const ns = await createTestNamespace('chart-crd');
    const r = await cli.helm(['install', `crd-${ns.slice(-8)}`, CHART_DIR, '--namespace', ns]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`CustomResourceDefinition "${CRD_NAME}" .*exists and cannot be imported into the current release: invalid ownership metadata`));
    const live = await cli.kubectl(['get', 'crd', CRD_NAME, '-o', 'json']);
    expect(live.code, live.stderr).toBe(0);
    const meta = (JSON.parse(live.stdout) as { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }).metadata;
    expect(meta.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
    expect(Object.keys(meta.annotations ?? {}).filter((k) => k.startsWith('meta.helm.sh/') || k.startsWith('helm.sh/'))).toEqual([]);
  });
});
