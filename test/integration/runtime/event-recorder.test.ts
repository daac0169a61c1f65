import { CoreV1Api, EventsV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder, NOTE_MAX_BYTES, REPORTING_CONTROLLER, eventsV1Sink } from '../../../src/controller/runtime/event-recorder.ts';
import type { EventObjectRef } from '../../../src/controller/runtime/event-correlator.ts';
import { createTestNamespace, testKubeConfig } from '../../support/kube.ts';

const kc = testKubeConfig();
const events = kc.makeApiClient(EventsV1Api);
let ns: string;
let target: EventObjectRef;

beforeAll(async () => {
  ns = await createTestNamespace('rt-events', kc);
  const cm: V1ConfigMap = await kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'web' } } });
  target = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'web', uid: cm.metadata!.uid! };
});

const listFor = async (reason: string) =>
  (await events.listNamespacedEvent({ namespace: ns })).items.filter((e) => e.reason === reason);

describe('EventRecorder against a real API server', () => {
  it('creates an events.k8s.io/v1 Event, then aggregates repeats into series.count', async () => {
    const errors: Error[] = [];
    const rec = new EventRecorder({ sink: eventsV1Sink(kc), reportingInstance: 'cert-deployer-0', onError: (e) => errors.push(e) });
    rec.record(target, 'Warning', 'DeployFailed', 'Deploy', 'connection refused by 10.0.0.1:443');
    await rec.flush();
    const [first, ...none] = await listFor('DeployFailed');
    expect(none).toEqual([]);
    expect(first).toMatchObject({
      type: 'Warning', reason: 'DeployFailed', action: 'Deploy', note: 'connection refused by 10.0.0.1:443',
      reportingController: REPORTING_CONTROLLER, reportingInstance: 'cert-deployer-0',
      regarding: { kind: 'ConfigMap', name: 'web', namespace: ns, uid: target.uid },
    });
    expect(first!.series).toBeUndefined();

    rec.record(target, 'Warning', 'DeployFailed', 'Deploy', 'connection refused by 10.0.0.1:443');
    rec.record(target, 'Warning', 'DeployFailed', 'Deploy', 'connection refused by 10.0.0.1:443');
    await rec.flush();
    const after = await listFor('DeployFailed');
    expect(after.length).toBe(1);
    expect(after[0]!.metadata?.name).toBe(first!.metadata?.name);
    expect(after[0]!.series?.count).toBe(3);
    expect(errors).toEqual([]);
  });

  it('starts a separate Event for a different note, and truncates long notes to 1 KiB', async () => {
    const rec = new EventRecorder({ sink: eventsV1Sink(kc), reportingInstance: 'cert-deployer-0' });
    rec.record(target, 'Normal', 'Deployed', 'Deploy', 'deployed to nginx-1');
    rec.record(target, 'Normal', 'Deployed', 'Deploy', 'deployed to nginx-2');
    rec.record(target, 'Warning', 'VerifyFailed', 'Verify', `served chain differs: ${'x'.repeat(5000)}`);
    await rec.flush();
    expect((await listFor('Deployed')).map((e) => e.note).sort()).toEqual(['deployed to nginx-1', 'deployed to nginx-2']);
    const [long] = await listFor('VerifyFailed');
    expect(Buffer.byteLength(long!.note!, 'utf8')).toBeLessThanOrEqual(NOTE_MAX_BYTES);
    expect(long!.note!.startsWith('served chain differs: xxx')).toBe(true);
  });

  it('a hot loop writes at most the burst; the stored count is the one last written', async () => {
    let writes = 0;
    let lastCount = 1;
    const sink = eventsV1Sink(kc);
    const rec = new EventRecorder({
      reportingInstance: 'cert-deployer-0', correlator: { burst: 5 },
      sink: {
        create: (e, s) => (writes++, sink.create(e, s)),
        patchSeries: (ns, name, series, s) => (writes++, (lastCount = series.count), sink.patchSeries(ns, name, series, s)),
      },
    });
    for (let i = 0; i < 200; i++) {
      rec.record(target, 'Warning', 'HotLoop', 'Reconcile', 'same failure');
      if (i % 10 === 0) await rec.flush(); // let writes complete now and then, as a real loop would
    }
    await rec.flush();
    expect(writes).toBe(5);
    expect(lastCount).toBeGreaterThan(5);
    expect(lastCount).toBeLessThan(200);
    const [hot, ...rest] = await listFor('HotLoop');
    expect(rest).toEqual([]);
    expect(hot!.series!.count).toBe(lastCount);
  });

  it('rejects malformed reasons and types with a TypeError instead of writing a bad Event', () => {
    const rec = new EventRecorder({ sink: eventsV1Sink(kc), reportingInstance: 'cert-deployer-0' });
    expect(() => rec.record(target, 'Warning', 'not camel case', 'Deploy', '')).toThrow(/reason "not camel case"/);
    expect(() => rec.record(target, 'Error' as never, 'Failed', 'Deploy', '')).toThrow(/Normal or Warning/);
    expect(() => new EventRecorder({ sink: eventsV1Sink(kc), reportingInstance: '' })).toThrow(/reportingInstance/);
  });
});
