/**
 * The reconcile tells its story in the logs: one line per attempt and outcome, debug lines for
 * decisions, and never key material (the private key is the canary).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorBlocks, connectorsByName } from '../../../src/connectors/registry.ts';
import { realClock } from '../../../src/core/clock.ts';
import type { HostPool } from '../../../src/controller/host-pool.ts';
import type { KubePort } from '../../../src/controller/kube-port.ts';
import type { CertificateDeploymentObject } from '../../../src/controller/kube-types.ts';
import { reconcileDeployment } from '../../../src/controller/reconcile/reconcile.ts';
import type { ReconcileLog, ReconcilerDeps } from '../../../src/controller/reconciler-deps.ts';
import { unrestrictedSource } from '../../support/policy-fixtures.ts';
import { specSchema } from '../../../src/crds/spec.ts';
import type { DeploymentStatus } from '../../../src/crds/status.ts';
import { LocalHost } from '../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';

let dir = '';
let chain: MintedChain;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-logs-'));
  chain = await mintChain({ dnsNames: ['logs.example.test'] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function setup(certificatePath: string) {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const log: ReconcileLog = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (fields: object, msg: string) => lines.push({ level, msg, fields: fields as Record<string, unknown> })])) as unknown as ReconcileLog;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const state: { status?: DeploymentStatus } = {};
  const kube: KubePort = {
    getSecret: async () => ({ metadata: { name: 's', namespace: 'ns' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(chain.chainPem.slice(0, -1).join('')), 'tls.key': b64(chain.keyPem) } }),
    patchStatus: async (_o, compose) => { state.status = compose(state.status ?? {}); return true; },
    setFinalizers: async () => undefined,
  };
  const hosts: HostPool = { local: new LocalHost(), hostFor: async () => new LocalHost(), observedHostKey: () => undefined, close: async () => undefined };
  const deps: ReconcilerDeps = {
    kube, registry: connectorsByName, events: { event: () => undefined }, log,
    metrics: { deploy: () => undefined, setExpiry: () => undefined, forget: () => undefined },
    policy: { ambientCloudIdentity: false }, policySource: unrestrictedSource(), hosts, clock: realClock, specSchema: specSchema(connectorBlocks()), deployTimeoutMs: 10_000,
  };
  const obj = (): CertificateDeploymentObject => ({
    metadata: { name: 'd', namespace: 'ns', uid: 'u', generation: 1, resourceVersion: '1' },
    spec: { secretRef: { name: 's' }, targets: [{ name: 't', file: { certificatePath, privateKeyPath: join(dir, 't.key') } }] },
    ...(state.status ? { status: state.status } : {}),
  }) as CertificateDeploymentObject;
  return { lines, deps, obj };
}

describe('reconcile logs', () => {
  it('an attempt logs one info line with deployment, target, connector, fingerprint prefix, change and duration; a replay logs a debug skip', async () => {
    const { lines, deps, obj } = setup(join(dir, 't.crt'));
    await reconcileDeployment(obj(), deps, new AbortController().signal);
    const deployed = lines.filter((l) => l.msg === 'target deployed');
    expect(deployed).toHaveLength(1);
    expect(deployed[0]).toMatchObject({ level: 'info', fields: { deployment: 'ns/d', target: 't', connector: 'file', changed: true, outcome: 'deployed' } });
    expect(deployed[0]!.fields.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(typeof deployed[0]!.fields.durationMs).toBe('number');
    await reconcileDeployment(obj(), deps, new AbortController().signal);
    expect(lines.filter((l) => l.msg === 'target deployed')).toHaveLength(1);
    expect(lines.some((l) => l.level === 'debug' && l.msg.startsWith('skip'))).toBe(true);
  });
  it('a failure logs a warn when it will be retried, then a debug backoff line with the time it ends', async () => {
    const { lines, deps, obj } = setup('/proc/cd-not-writable/t.crt');
    await reconcileDeployment(obj(), deps, new AbortController().signal);
    const failed = lines.find((l) => l.msg.startsWith('target deploy failed'));
    expect(failed).toBeDefined();
    expect(['warn', 'error']).toContain(failed!.level);
    expect(failed!.fields).toMatchObject({ deployment: 'ns/d', target: 't', connector: 'file' });
    expect(failed!.fields.reason).toBeTruthy();
    await reconcileDeployment(obj(), deps, new AbortController().signal);
    if (failed!.level === 'warn') expect(lines.find((l) => l.msg === 'backing off')?.fields.until).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
  it('no line carries key material', async () => {
    const { lines, deps, obj } = setup(join(dir, 'canary.crt'));
    await reconcileDeployment(obj(), deps, new AbortController().signal);
    const text = JSON.stringify(lines);
    const keyBody = chain.keyPem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    for (let i = 0; i + 32 <= keyBody.length; i += 32) expect(text).not.toContain(keyBody.slice(i, i + 32));
    expect(text).not.toContain('PRIVATE KEY');
  });
});
