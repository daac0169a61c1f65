import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { getCondition, setCondition, type Condition } from '../../../src/core/conditions.ts';
import {
  ConflictRetriesExhaustedError, customObjectStatusClient, writeStatus, type StatusClient,
} from '../../../src/controller/runtime/status-writer.ts';
import { applyCrds } from '../../support/apply-crds.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';

const kc = testKubeConfig();
const custom = kc.makeApiClient(CustomObjectsApi);
const group = 'runtime-test.certdeployer.io';
const version = 'v1';
const plural = 'widgets';
let ns: string;

interface Widget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; generation?: number };
  spec?: Record<string, unknown>;
  status?: { conditions?: Condition[]; observedGeneration?: number; other?: string };
}

/** A throwaway CRD with the status subresource, registered through the shared helper. */
const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: { kind: Widget, plural: ${plural}, singular: widget, listKind: WidgetList }
  versions:
  - name: ${version}
    served: true
    storage: true
    subresources: { status: {} }
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: { type: object, x-kubernetes-preserve-unknown-fields: true }
          status: { type: object, x-kubernetes-preserve-unknown-fields: true }
`;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rt-crd-'));
  await writeFile(join(dir, 'widgets.yaml'), CRD);
  await applyCrds(kc, dir);
  ns = await createTestNamespace('rt-status', kc);
});

async function createWidget(name: string): Promise<Widget> {
  return (await custom.createNamespacedCustomObject({
    group, version, plural, namespace: ns, body: { apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name }, spec: { size: 1 } },
  })) as Widget;
}

/** Another controller writing the same object's status at the worst moment. */
async function concurrentStatusWrite(name: string, other: string): Promise<void> {
  const cur = (await custom.getNamespacedCustomObject({ group, version, plural, namespace: ns, name })) as Widget;
  await custom.replaceNamespacedCustomObjectStatus({ group, version, plural, namespace: ns, name, body: { ...cur, status: { ...cur.status, other } } });
}

const markReady = (w: Widget): boolean => {
  const { conditions, changed } = setCondition(w.status?.conditions, {
    type: 'Ready', status: 'True', reason: 'Deployed', message: 'all targets deployed', observedGeneration: w.metadata.generation,
  }, Date.now());
  w.status = { ...w.status, conditions, observedGeneration: w.metadata.generation };
  return changed;
};

describe('writeStatus against a real /status subresource', () => {
  it('writes status, and skips the write when nothing changed', async () => {
    await createWidget('plain');
    const client = customObjectStatusClient<Widget>(kc, { group, version, plural, namespace: ns, name: 'plain' });
    const first = await writeStatus({ client, mutate: markReady });
    expect(first).toMatchObject({ written: true, attempts: 1 });
    expect(getCondition(first.object.status?.conditions, 'Ready')).toMatchObject({ status: 'True', reason: 'Deployed', observedGeneration: 1 });
    const again = await writeStatus({ client, mutate: markReady });
    expect(again).toMatchObject({ written: false, attempts: 1 });
    expect(again.object.metadata.resourceVersion).toBe(first.object.metadata.resourceVersion);
  });

  it('on 409 re-reads, re-applies the mutation to the fresh object, and keeps the other writer\'s change', async () => {
    await createWidget('raced');
    const client = customObjectStatusClient<Widget>(kc, { group, version, plural, namespace: ns, name: 'raced' });
    const stale = await client.get(); // e.g. from an informer cache
    await concurrentStatusWrite('raced', 'written-by-someone-else');
    const result = await writeStatus({ client, mutate: markReady, current: stale });
    expect(result).toMatchObject({ written: true, attempts: 2 });
    const stored = await client.get();
    expect(stored.status?.other).toBe('written-by-someone-else');
    expect(getCondition(stored.status?.conditions, 'Ready')?.status).toBe('True');
  });

  it('gives up with ConflictRetriesExhaustedError after the allowed attempts when every write races', async () => {
    await createWidget('contended');
    const real = customObjectStatusClient<Widget>(kc, { group, version, plural, namespace: ns, name: 'contended' });
    let n = 0;
    // Every time we read, another writer updates the object before our write lands.
    const racing: StatusClient<Widget> = {
      async get(signal) {
        const obj = await real.get(signal);
        await concurrentStatusWrite('contended', `race-${n++}`);
        return obj;
      },
      replaceStatus: (obj, signal) => real.replaceStatus(obj, signal),
    };
    const err = await writeStatus({ client: racing, mutate: markReady, retry: { steps: 3, initialMs: 5 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictRetriesExhaustedError);
    expect(err).toMatchObject({ attempts: 3, code: 'CD_ERR_CONFLICT', retryable: true });
    expect(n).toBe(3);
    expect((await real.get()).status?.conditions).toBeUndefined();
  });

  it('passes non-conflict errors straight through', async () => {
    const client = customObjectStatusClient<Widget>(kc, { group, version, plural, namespace: ns, name: 'missing' });
    await expect(writeStatus({ client, mutate: markReady })).rejects.toMatchObject({ statusCode: 404, reason: 'NotFound' });
  });
});
