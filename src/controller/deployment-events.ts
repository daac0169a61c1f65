/**
 * Adapts the runtime's EventRecorder (aggregation, rate limits, events.k8s.io/v1) to the
 * reconciler's EventSink: the reconciler names a CertificateDeployment, this builds the ref.
 */
import { API_VERSION, KIND } from '../crds/names.ts';
import type { EventSink } from './kube-port.ts';
import type { EventRecorder } from './runtime/event-recorder.ts';

/** An EventSink that records through `recorder`; failures are the recorder's to report. */
export function deploymentEvents(recorder: EventRecorder): EventSink {
  return {
    event(obj, type, reason, action, note) {
      recorder.record(
        { apiVersion: API_VERSION, kind: KIND, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid },
        type, reason, action, note,
      );
    },
  };
}
