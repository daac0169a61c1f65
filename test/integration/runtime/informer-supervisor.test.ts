import { CoreV1Api, type CoreV1Event, type V1Secret } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { InformerSupervisor } from '../../../src/controller/runtime/informer-supervisor.ts';
import { collectionPath, kubeTransport, type KubeTransport, type Query } from '../../../src/controller/runtime/kube-transport.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';
import { compactEtcd, etcdUrlFor, eventually } from './helpers.ts';

const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
let ns: string;

beforeAll(async () => {
  ns = await createTestNamespace('rt-informer', kc);
});

/** Records handler calls as readable strings. */
function recorder<T extends { metadata?: { name?: string } }>() {
  const log: string[] = [];
  return {
    log,
    handlers: {
      onAdd: (o: T) => log.push(`add ${o.metadata?.name}`),
      onUpdate: (old: T, o: T) => log.push(`update ${old.metadata?.name}→${o.metadata?.name}`),
      onDelete: (o: T) => log.push(`delete ${o.metadata?.name}`),
    },
  };
}

/**
 * The real transport with a way to cut the connection: `cut()` aborts the open watch the way
 * a dropped TCP connection would and holds new watches until `reconnect()`. Everything the
 * informer then sees is the real server's answer.
 */
function cuttable(inner: KubeTransport) {
  const open = new Set<AbortController>();
  let gate: Promise<void> | undefined;
  let release = (): void => {};
  const watches: Query[] = [];
  const transport: KubeTransport = {
    list: (path, query, signal) => inner.list(path, query, signal),
    async watch(path, query, signal) {
      watches.push(query);
      if (gate) await gate;
      const ctl = new AbortController();
      open.add(ctl);
      signal.addEventListener('abort', () => ctl.abort(signal.reason), { once: true });
      return inner.watch(path, query, AbortSignal.any([signal, ctl.signal]));
    },
  };
  return {
    transport,
    watches,
    cut(): void {
      gate = new Promise((r) => (release = r));
      for (const c of open) c.abort(new Error('connection reset (test)'));
      open.clear();
    },
    reconnect(): void {
      gate = undefined;
      release();
    },
  };
}

const tlsSecret = (name: string, labels: Record<string, string>, key = 'c2VjcmV0LWtleQ=='): V1Secret => ({
  metadata: { name, labels },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': 'Y2VydA==', 'tls.key': key },
});

describe('InformerSupervisor against a real API server', () => {
  it('sees add, update and delete of selected Secrets only, and caches them without data', async () => {
    const { log, handlers } = recorder<V1Secret>();
    const inf = new InformerSupervisor<V1Secret>({
      name: 'secrets', transport: kubeTransport(kc), path: collectionPath({ version: 'v1', plural: 'secrets', namespace: ns }),
      labelSelector: 'app=web', fieldSelector: 'type=kubernetes.io/tls',
      transform: ({ data: _data, ...meta }) => meta,
      handlers,
    });
    await core.createNamespacedSecret({ namespace: ns, body: tlsSecret('before', { app: 'web' }) });
    inf.start();
    await inf.waitForSync();
    expect(inf.keys()).toEqual([`${ns}/before`]);
    await core.createNamespacedSecret({ namespace: ns, body: tlsSecret('web', { app: 'web' }) });
    await core.createNamespacedSecret({ namespace: ns, body: tlsSecret('other-app', { app: 'other' }) });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'opaque', labels: { app: 'web' } }, type: 'Opaque', data: { a: 'Yg==' } } });
    await eventually('add web', () => inf.get(`${ns}/web`));
    const web = await core.readNamespacedSecret({ namespace: ns, name: 'web' });
    await core.replaceNamespacedSecret({ namespace: ns, name: 'web', body: { ...web, data: { ...web.data, 'tls.key': 'cm90YXRlZA==' } } });
    await eventually('update web', () => log.includes('update web→web'));
    await core.deleteNamespacedSecret({ namespace: ns, name: 'web' });
    await eventually('delete web', () => log.includes('delete web'));
    expect(log).toEqual(['add before', 'add web', 'update web→web', 'delete web']);
    expect(inf.keys()).toEqual([`${ns}/before`]);
    expect(JSON.stringify(inf.list())).not.toContain('c2VjcmV0LWtleQ');
    expect(inf.get(`${ns}/before`)?.data).toBeUndefined();
    expect(inf.health()).toMatchObject({ synced: true, watching: true, stale: false, lists: 1, consecutiveFailures: 0 });
    await inf.stop();
  });

  it('resumes from its resourceVersion after the connection drops, without relisting or losing events', async () => {
    const cm = (name: string) => ({ metadata: { name, labels: { t: 'resume' } } });
    const cut = cuttable(kubeTransport(kc));
    const { log, handlers } = recorder();
    const inf = new InformerSupervisor({
      name: 'configmaps', transport: cut.transport, path: collectionPath({ version: 'v1', plural: 'configmaps', namespace: ns }),
      labelSelector: 't=resume', handlers, backoff: { initialMs: 50, maxMs: 200 },
    });
    inf.start();
    await inf.waitForSync();
    await core.createNamespacedConfigMap({ namespace: ns, body: cm('one') });
    await eventually('one', () => inf.get(`${ns}/one`));
    const rvBefore = inf.health().resourceVersion;
    cut.cut();
    await eventually('watch down', () => !inf.health().watching);
    await core.createNamespacedConfigMap({ namespace: ns, body: cm('two') });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'one' });
    cut.reconnect();
    await eventually('gap replayed', () => log.includes('delete one') && log.includes('add two'));
    expect(cut.watches.at(-1)?.resourceVersion).toBe(rvBefore);
    expect(inf.health()).toMatchObject({ lists: 1, watching: true });
    expect(inf.keys()).toEqual([`${ns}/two`]);
    await inf.stop();
  });

  it('relists after 410 Gone (etcd compacted past its resourceVersion) and emits what the gap hid', async () => {
    // Core Events are not served from the watch cache, so a compacted resourceVersion yields a real 410.
    const ev = (name: string): CoreV1Event => ({ metadata: { name }, involvedObject: { kind: 'ConfigMap', name: 'x', namespace: ns }, reason: 'Test', message: name });
    const etcd = await etcdUrlFor(kc);
    const cut = cuttable(kubeTransport(kc));
    const { log, handlers } = recorder<CoreV1Event>();
    const errors: string[] = [];
    const inf = new InformerSupervisor<CoreV1Event>({
      name: 'events', transport: cut.transport, path: collectionPath({ version: 'v1', plural: 'events', namespace: ns }),
      handlers, backoff: { initialMs: 50, maxMs: 200 }, onError: (e, phase) => errors.push(`${phase}: ${e.message}`),
    });
    await core.createNamespacedEvent({ namespace: ns, body: ev('a') });
    inf.start();
    await inf.waitForSync();
    expect(log).toEqual(['add a']);
    cut.cut();
    await eventually('watch down', () => !inf.health().watching);
    await core.deleteNamespacedEvent({ namespace: ns, name: 'a' });
    await core.createNamespacedEvent({ namespace: ns, body: ev('b') });
    await core.createNamespacedEvent({ namespace: ns, body: ev('c') });
    await compactEtcd(etcd);
    cut.reconnect();
    await eventually('relisted', () => inf.health().lists === 2 && inf.health().watching);
    expect(errors.some((e) => /too old|Expired|410/i.test(e))).toBe(true);
    expect(log.slice(1).sort()).toEqual(['add b', 'add c', 'delete a']);
    expect(inf.keys().sort()).toEqual([`${ns}/b`, `${ns}/c`]);
    // And it keeps watching from the new list.
    await core.createNamespacedEvent({ namespace: ns, body: ev('d') });
    await eventually('add d', () => log.includes('add d'));
    await inf.stop();
  });

  it('keeps retrying with backoff while the path is forbidden or missing, and reports why', async () => {
    const errors: string[] = [];
    const inf = new InformerSupervisor({
      name: 'nothing', transport: kubeTransport(kc), path: '/apis/nope.certdeployer.io/v1/widgets',
      backoff: { initialMs: 20, maxMs: 50 }, onError: (e) => errors.push(e.message),
    });
    inf.start();
    await eventually('three failures', () => inf.health().consecutiveFailures >= 3);
    expect(inf.hasSynced()).toBe(false);
    expect(errors[0]).toMatch(/list \/apis\/nope\.certdeployer\.io\/v1\/widgets: .*not found/i);
    await inf.stop();
  });
});
