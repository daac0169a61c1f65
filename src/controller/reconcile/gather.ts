/**
 * Gather: read everything the decision needs and nothing more — the validated spec, the TLS
 * Secret and what the credential model makes of it. The result is plain data; the pure plan
 * (plan.ts) decides from it, and apply (apply.ts) is the only step with side effects.
 */
import type { z } from 'zod';
import { isInvalidCertificate, parseTlsSecret } from '../../connectors/sdk/credential/index.ts';
import type { Deployment } from '../../connectors/sdk/deployment.ts';
import type { specSchema } from '../../crds/spec.ts';
import type { KubePort } from '../kube-port.ts';
import type { CertificateDeploymentObject } from '../kube-types.ts';
import type { TargetSpec } from '../pipeline/prepare-target.ts';

export type Spec = z.infer<ReturnType<typeof specSchema>> & { readonly targets: readonly TargetSpec[] };

/** What gather found, as data. */
export type Facts =
  | { readonly kind: 'deleting' }
  | { readonly kind: 'invalidSpec'; readonly message: string }
  | { readonly kind: 'suspended'; readonly spec: Spec }
  | { readonly kind: 'secretMissing'; readonly spec: Spec }
  | { readonly kind: 'invalidCertificate'; readonly spec: Spec; readonly message: string }
  | { readonly kind: 'active'; readonly spec: Spec; readonly deployment: Deployment };

export interface GatherDeps {
  readonly kube: Pick<KubePort, 'getSecret'>;
  readonly specSchema: z.ZodType;
  readonly now: number;
}

/** Reads the facts for `obj` (the cached object for a queue key). */
export async function gather(obj: CertificateDeploymentObject, deps: GatherDeps): Promise<Facts> {
  if (obj.metadata.deletionTimestamp) return { kind: 'deleting' };
  const parsed = deps.specSchema.safeParse(obj.spec);
  if (!parsed.success) {
    return { kind: 'invalidSpec', message: `invalid spec: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  }
  const spec = parsed.data as Spec;
  if (spec.suspend) return { kind: 'suspended', spec };
  const secret = await deps.kube.getSecret(obj.metadata.namespace, spec.secretRef.name);
  if (!secret) return { kind: 'secretMissing', spec };
  try {
    const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    return { kind: 'active', spec, deployment: parseTlsSecret(data, { now: new Date(deps.now) }) };
  } catch (err) {
    if (!isInvalidCertificate(err)) throw err;
    return { kind: 'invalidCertificate', spec, message: `Secret ${spec.secretRef.name}: ${err.message}` };
  }
}
