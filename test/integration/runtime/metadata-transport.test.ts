/**
 * The Secret informer's transport asks for metadata only (PartialObjectMetadata): against the
 * real API server, neither the list nor a watch event carries the Secret's data, and the
 * field selector still filters by type. Fails if the Accept header is dropped (the full
 * Secret, data included, comes back).
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectionPath, kubeTransport, type WatchEvent } from '../../../src/controller/runtime/kube-transport.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';

const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
let ns: string;
type Obj = { kind?: string; metadata: { name: string; resourceVersion: string }; data?: unknown; type?: string };

beforeAll(async () => {
  ns = await createTestNamespace('rt-metadata', kc);
});

const tlsSecret = (name: string) => ({ metadata: { name }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from('C').toString('base64'), 'tls.key': Buffer.from('K').toString('base64') } });

describe('kubeTransport({ metadataOnly: true })', () => {
  it('lists and watches Secrets without their data, and the type field selector still applies', async () => {
    await core.createNamespacedSecret({ namespace: ns, body: tlsSecret('a') });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'opaque' }, type: 'Opaque', data: { x: 'eA==' } } });
    const path = collectionPath({ version: 'v1', plural: 'secrets', namespace: ns });
    const signal = AbortSignal.timeout(30_000);

    const full = await kubeTransport(kc).list<Obj>(path, { fieldSelector: 'type=kubernetes.io/tls' }, signal);
    expect(full.items[0]?.data).toBeDefined(); // the plain transport gets everything: the check below can fail

    const t = kubeTransport(kc, { metadataOnly: true });
    const page = await t.list<Obj>(path, { fieldSelector: 'type=kubernetes.io/tls' }, signal);
    expect(page.items.map((i) => i.metadata.name)).toEqual(['a']);
    expect(page.items[0]).not.toHaveProperty('data');
    expect(page.items[0]?.kind).toBe('PartialObjectMetadata');

    const abort = new AbortController();
    const events = await t.watch<Obj>(path, { fieldSelector: 'type=kubernetes.io/tls', resourceVersion: page.metadata?.resourceVersion }, AbortSignal.any([abort.signal, signal]));
    await core.createNamespacedSecret({ namespace: ns, body: tlsSecret('b') });
    let seen: WatchEvent<Obj> | undefined;
    for await (const e of events) {
      seen = e;
      break;
    }
    abort.abort();
    expect(seen?.type).toBe('ADDED');
    expect(seen?.object.metadata.name).toBe('b');
    expect(seen?.object).not.toHaveProperty('data');
  });
});
