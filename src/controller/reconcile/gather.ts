/**
 * Gather: read everything the decision needs and nothing more — the validated spec, the TLS
 * Secret and what the credential model makes of it. The result is plain data; the pure plan
 * (plan.ts) decides from it, and apply (apply.ts) is the only step with side effects.
 */
import type { z } from 'zod';
import { inspectTlsSecret, isInvalidCertificate, type WeakCredentialPolicy, type Weakness } from '@cert-deployer/connector-sdk';
import type { Deployment } from '@cert-deployer/connector-sdk';
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
  | {
    readonly kind: 'active';
    readonly spec: Spec;
    /** What the plan and status need of the certificate; from status when the Secret is unchanged. */
    readonly certificate: { readonly fingerprint: string; readonly notAfter: Date };
    readonly secretResourceVersion?: string | undefined;
    /** The parsed credential; absent when gather trusted status instead of reading the Secret. */
    readonly deployment?: Deployment;
    /** What is weak about the credential (`--weak-credentials=Warn`); absent with `deployment`. */
    readonly weaknesses?: readonly Weakness[];
  };

export interface GatherDeps {
  readonly kube: Pick<KubePort, 'getSecret'>;
  readonly specSchema: z.ZodType;
  readonly now: number;
  /** The Secret's cached metadata (informer), so an unchanged Secret need not be read again. */
  readonly secretMeta?: ((namespace: string, name: string) => { readonly resourceVersion?: string | undefined } | undefined) | undefined;
  /** Read the Secret even when the cache says it is unchanged (a target is about to deploy). */
  readonly readSecret?: boolean;
  /** `--weak-credentials`: weak keys and signatures are reported (Warn, default) or refused. */
  readonly weakCredentials?: WeakCredentialPolicy | undefined;
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
  // A restart over settled deployments reads no Secret: status records the resourceVersion the
  // last plan used; while the cache shows the same one, the certificate is the one status names.
  const prev = obj.status;
  const cachedRv = deps.readSecret ? undefined : deps.secretMeta?.(obj.metadata.namespace, spec.secretRef.name)?.resourceVersion;
  if (cachedRv && cachedRv === prev?.secretResourceVersion && prev.fingerprint && prev.notAfter && deps.now < Date.parse(prev.notAfter)) {
    return { kind: 'active', spec, certificate: { fingerprint: prev.fingerprint, notAfter: new Date(prev.notAfter) }, secretResourceVersion: cachedRv };
  }
  const secret = await deps.kube.getSecret(obj.metadata.namespace, spec.secretRef.name);
  if (!secret) return { kind: 'secretMissing', spec };
  try {
    const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    const { deployment, weaknesses } = inspectTlsSecret(data, { now: new Date(deps.now), ...(deps.weakCredentials ? { weakCredentials: deps.weakCredentials } : {}) });
    return { kind: 'active', spec, certificate: { fingerprint: deployment.fingerprint, notAfter: deployment.notAfter }, secretResourceVersion: secret.metadata.resourceVersion, deployment, weaknesses };
  } catch (err) {
    if (!isInvalidCertificate(err)) throw err;
    return { kind: 'invalidCertificate', spec, message: `Secret ${spec.secretRef.name}: ${err.message}` };
  }
}
