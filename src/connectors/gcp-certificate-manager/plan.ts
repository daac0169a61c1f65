/**
 * The deploy decision, pure: from what the API holds under the configured name (or nothing)
 * and the Deployment's fingerprint, decide to create, update (and which fields), do nothing,
 * or refuse. Idempotency lives here: the same fingerprint and labels mean no request at all.
 */
import { OWNER_LABEL_KEY, desiredLabels, isOwnedBy, ownerLabelValue, sameLabels } from './labels.ts';

/** What the API reports about an existing certificate, reduced to what the decision needs. */
export interface ExistingCertificate {
  readonly labels: Readonly<Record<string, string>>;
  /** SHA-256 of the leaf in its `pemCertificate`, or null when unreadable. */
  readonly leafFingerprint: string | null;
  /** A Google-managed certificate (its `managed` block is set): never overwritten. */
  readonly managed: boolean;
}

/** The update mask paths this connector writes. */
export const MaskPath = { SelfManaged: 'self_managed', Labels: 'labels' } as const;
/** One update mask path. */
export type MaskPath = (typeof MaskPath)[keyof typeof MaskPath];

/** What one deploy does; `refuse` carries the reason for the error message. */
export type DeployPlan =
  | { readonly kind: 'create'; readonly labels: Record<string, string> }
  | { readonly kind: 'update'; readonly paths: readonly MaskPath[]; readonly labels: Record<string, string> }
  | { readonly kind: 'noop' }
  | { readonly kind: 'refuse'; readonly reason: string };

/** Everything the deploy decision depends on. */
export interface PlanInput {
  readonly existing: ExistingCertificate | null;
  readonly fingerprint: string;
  readonly ownerId: string;
  readonly configuredLabels?: Readonly<Record<string, string>> | undefined;
}

/** Decides what one deploy does. */
export function planDeploy(input: PlanInput): DeployPlan {
  const { existing } = input;
  if (existing === null) return { kind: 'create', labels: desiredLabels(null, input.configuredLabels, input.ownerId) };
  if (existing.managed) return { kind: 'refuse', reason: 'it is a Google-managed certificate' };
  if (!isOwnedBy(existing.labels, input.ownerId)) {
    const has = existing.labels[OWNER_LABEL_KEY];
    const why = has === undefined ? `it has no ${OWNER_LABEL_KEY} label` : `its ${OWNER_LABEL_KEY} label belongs to another target (expected ${ownerLabelValue(input.ownerId)})`;
    return { kind: 'refuse', reason: `${why}: cert-deployer did not create it` };
  }
  const labels = desiredLabels(existing.labels, input.configuredLabels, input.ownerId);
  const paths: MaskPath[] = [];
  if (existing.leafFingerprint !== input.fingerprint) paths.push(MaskPath.SelfManaged);
  if (!sameLabels(existing.labels, labels)) paths.push(MaskPath.Labels);
  return paths.length === 0 ? { kind: 'noop' } : { kind: 'update', paths, labels };
}

/**
 * Whether undeploy deletes the certificate: only one that exists, carries this target's owner
 * label and is self-managed. Anything else is not ours to remove.
 */
export function shouldDelete(existing: ExistingCertificate | null, ownerId: string): boolean {
  return existing !== null && !existing.managed && isOwnedBy(existing.labels, ownerId);
}
