/**
 * Two real controller processes on one Lease: only the leader deploys; SIGKILL the leader
 * and the other takes over; SIGTERM stops gracefully and releases the Lease.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { mintChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf } from '../../support/controller-harness.ts';
import { spawnController, type ControllerProcess } from '../../support/controller-process.ts';
import { createTestNamespace } from '../../support/kube.ts';

const kubeconfig = inject('kubeconfigPath');
const { kc, core, objects } = kubeClients(kubeconfig);
const leases = kc.makeApiClient(CoordinationV1Api);
const fp = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const procs: ControllerProcess[] = [];
let dir = '';

afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('leader election between controller processes', () => {
  it('only the leader deploys; after SIGKILL the other takes over; SIGTERM releases the Lease', { timeout: 120_000 }, async () => {
    const ns = await createTestNamespace('le');
    dir = await mkdtemp(join(tmpdir(), 'cd-le-'));
    const chain = await mintChain({});
    await putTlsSecret(core, ns, 'tls', chain.leafPem, chain.keyPem);
    const args = (id: string) => ['--kubeconfig', kubeconfig, '--namespaces', ns, '--leader-elect', 'true', '--leader-election-namespace', ns, '--leader-election-id', 'cd-test', '--identity', id];
    const a = await spawnController(args('replica-a'));
    procs.push(a);
    const holder = await eventually(async () => (await leases.readNamespacedLease({ namespace: ns, name: 'cd-test' })).spec?.holderIdentity || undefined, 30_000, 'a lease holder');
    expect(holder).toBe('replica-a');
    const b = await spawnController(args('replica-b'));
    procs.push(b);

    await createDeployment(objects, ns, 'web', { secretRef: { name: 'tls' }, targets: [{ name: 'f', file: { certificatePath: join(dir, 'f.crt'), privateKeyPath: join(dir, 'f.key') } }] });
    await eventually(async () => ((await readyOf(objects, ns, 'web'))?.ready === 'True' ? true : undefined), 30_000, 'Ready');
    expect(await a.deploys()).toBe(1);
    expect(await b.deploys()).toBe(0);
    // client-go's leader_election_master_status, named after the Lease: 1 on the leader, 0 on the standby.
    const leaderStatus = (p: typeof a) => eventually(async () => {
      const text = await fetch(p.metricsUrl).then((r) => r.text(), () => '');
      return /^leader_election_master_status\{name="cd-test"\} (\d)$/m.exec(text)?.[1];
    }, 30_000, 'leader_election_master_status');
    expect([await leaderStatus(a), await leaderStatus(b)]).toEqual(['1', '0']);

    a.child.kill('SIGKILL');
    await a.exited;
    const next = await chain.issueLeaf({});
    await putTlsSecret(core, ns, 'tls', next.leafPem, next.keyPem);
    // The Lease must expire first (15 s by default), then b acquires it and deploys.
    await eventually(async () => {
      const r = await readyOf(objects, ns, 'web');
      return r?.ready === 'True' && r.status.fingerprint === fp(next.leafPem) ? true : undefined;
    }, 60_000, 'takeover and redeploy');
    expect(await b.deploys()).toBe(1);
    expect(await leaderStatus(b)).toBe('1');
    expect(await readFile(join(dir, 'f.crt'), 'utf8')).toContain(next.leafPem.trim().split('\n')[1]);
    expect((await leases.readNamespacedLease({ namespace: ns, name: 'cd-test' })).spec?.holderIdentity).toBe('replica-b');

    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const released = (await leases.readNamespacedLease({ namespace: ns, name: 'cd-test' })).spec;
    expect(released?.holderIdentity ?? '').toBe('');
  });
});
