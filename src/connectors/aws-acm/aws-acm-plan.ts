/**
 * Plan mode for ACM: the read half of deploy (find the owned certificate, read it back) and the
 * prediction of the write half (nothing, a re-import into that ARN, or an import of a new one).
 * ACM reads are POSTs (`X-Amz-Target: CertificateManager.DescribeCertificate`); under a plan
 * sandbox that trusts only GET they are refused, and the plan says which import is
 * unpredictable instead of guessing — using the ARN from status as the likely target.
 */
import type { DeployContext, Deployment, PlanResult } from '@cert-deployer/connector-sdk';
import { planRead, planResult } from '@cert-deployer/connector-sdk';
import type { AcmApi } from './acm-api.ts';
import { findOwned } from './find-owned.ts';
import { holdsDeployment } from './import-material.ts';
import { missingTags, type AcmTag } from './tags.ts';

/** Predicts deploy for `dep` from what ACM holds (read through `api`). */
export async function planAcm(api: AcmApi, ownerId: string, tags: readonly AcmTag[], dep: Deployment, ctx: DeployContext): Promise<PlanResult> {
  const seen = await planRead(async () => {
    const found = await findOwned(api, ownerId, ctx.remoteId);
    const stored = found.arn === null ? null : await api.getCertificate(found.arn);
    const missing = found.arn === null || stored === null ? [] : missingTags((await api.listTags(found.arn)) ?? [], tags);
    return { arn: found.arn, stored, missing };
  });
  if (!seen.ok) {
    const into = ctx.remoteId ?? 'a new ACM certificate (or one found by its owner tag)';
    return planResult([
      { kind: 'unpredictable', what: 'whether ACM already holds this certificate', why: seen.why },
      { kind: 'import', into, resource: 'ImportCertificate' },
    ]);
  }
  const { arn, stored, missing } = seen.value;
  // Deploy puts back owner tags someone removed, on either path.
  const retag = arn !== null && missing.length > 0 ? [{ kind: 'http' as const, method: 'POST', url: 'AddTagsToCertificate', resource: arn }] : [];
  if (arn !== null && stored !== null && holdsDeployment(stored, dep)) return planResult(retag, `ACM ${arn} already holds this certificate`);
  if (arn !== null && stored !== null) return planResult([{ kind: 'import', into: arn, resource: 'ImportCertificate (re-import)' }, ...retag]);
  return planResult([{ kind: 'import', into: 'a new ACM certificate', resource: 'ImportCertificate (tagged with the owner tag)' }]);
}
