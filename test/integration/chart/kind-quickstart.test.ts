/**
 * hack/kind-quickstart.sh cannot run here (no Docker, no kind); every step it takes is covered
 * where it can be: the script passes shellcheck; step 2's image is the one
 * test/integration/image runs under runc; step 4's chart install uses hack/kind/values.yaml,
 * installed here into the real kube-apiserver; steps 5-8's manifests (the edge Deployment and
 * Service, cert-manager's Issuer and Certificate, the DeploymentPolicy, the
 * CertificateDeployment) are printed by the script itself and accepted by the real apiserver with
 * the real CRDs (server-side dry run: schema and CEL rules), with a real ed25519 host key.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { certManagerBinaries, CERT_MANAGER_BUILD_TIMEOUT_MS } from '../../support/cert-manager/build.ts';
import { applyCertManagerCrds } from '../../support/cert-manager/controller.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';
import { CHART_DIR, REPO_ROOT, createHelmCli, findOne, parseManifests, type HelmCli } from './helm-cli.ts';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'hack', 'kind-quickstart.sh');
const VALUES = join(REPO_ROOT, 'hack', 'kind', 'values.yaml');

let cli: HelmCli;
let dir = '';
let ns = '';
let hostKey = '';

beforeAll(async () => {
  cli = await createHelmCli();
  dir = await mkdtemp(join(tmpdir(), 'cd-kind-'));
  ns = await createTestNamespace('kind');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'edge', '-f', join(dir, 'host')]);
  hostKey = (await readFile(join(dir, 'host.pub'), 'utf8')).split(' ').slice(0, 2).join(' ');
  await applyCertManagerCrds(testKubeConfig(), (await certManagerBinaries()).crdDir);
}, CERT_MANAGER_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await cli?.dispose();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('hack/kind-quickstart.sh', () => {
  it.skipIf(!existsSync('/usr/bin/shellcheck'))('passes shellcheck', async () => {
    const r = await run('shellcheck', [SCRIPT]).then(() => '', (e: { stdout: string }) => e.stdout);
    expect(r).toBe('');
  });

  it('prints manifests the real apiserver accepts (server-side dry run)', async () => {
    const { stdout } = await run('bash', [SCRIPT, 'manifests'], { env: { ...process.env, NAMESPACE: ns, HOST_KEY_PUB: hostKey } });
    const kinds = parseAllDocuments(stdout).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(['Deployment', 'Service', 'Issuer', 'Certificate', 'DeploymentPolicy', 'CertificateDeployment']);
    const file = join(dir, 'manifests.yaml');
    await writeFile(file, stdout);
    const r = await cli.kubectl(['apply', '--dry-run=server', '-f', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('refuses to print them without the edge host key (no trust on first use)', async () => {
    const r = await run('bash', [SCRIPT, 'manifests'], { env: { ...process.env, HOST_KEY_PUB: '' } }).then(() => 0, (e: { code: number }) => e.code);
    expect(r).not.toBe(0);
  });

  it('installs the chart with hack/kind/values.yaml into a real apiserver, running the image it loaded', async () => {
    const release = `kind-${ns.slice(-6)}`;
    const r = await cli.helm(['install', release, CHART_DIR, '--namespace', ns, '-f', VALUES, '--set', 'crds.enabled=false']);
    expect(r.code, r.stderr).toBe(0);
    const manifest = parseManifests((await cli.helm(['get', 'manifest', release, '--namespace', ns])).stdout);
    const container = (findOne(manifest, 'Deployment').spec as { template: { spec: { containers: { image: string; imagePullPolicy: string }[] } } }).template.spec.containers[0]!;
    const script = await readFile(SCRIPT, 'utf8');
    expect(`IMAGE="${container.image}"`).toBe(/^IMAGE=".*"$/m.exec(script)?.[0]);
    expect(container.imagePullPolicy).toBe('Never');
    expect((parse(await readFile(VALUES, 'utf8')) as { replicaCount: number }).replicaCount).toBe(1);
    await cli.helm(['uninstall', release, '--namespace', ns]);
  });
});
