/**
 * The `awsAcm` connector: imports the certificate into AWS Certificate Manager and re-imports
 * every renewal into the same ARN, so the services using it (load balancers, CloudFront, API
 * Gateway) pick up the new certificate without being re-pointed.
 *
 * Deploy, in order:
 * 1. Refuse key types ACM cannot import and resolve the credentials, before any request.
 * 2. Find the certificate this target owns: the ARN from status if it still carries our owner
 *    tag, else a tag search over every imported certificate (find-owned.ts).
 * 3. Read it back (GetCertificate). Same leaf fingerprint and chain → `changed: false`, with
 *    no mutating call (only the tags are put right if someone removed them).
 * 4. Otherwise re-import into that ARN, or import a new certificate tagged with the owner tag
 *    when the target owns none. The ARN is the result's `remoteId`.
 *
 * Every request goes through `sandbox.request` to the one granted endpoint. With ambient
 * identity, the credential lookup is declared too: the source the operator's environment
 * selects (ambient-source.ts) adds its exact STS / container / instance-metadata address and
 * token file to `capabilities()`, so the operator policy must list them, and the lookup itself
 * goes through the same sandbox (ambient-credentials.ts).
 */
import { heldCertificateOf, type Grant, type Sandbox, type Connector, type DeployContext, type DeployResult, retryable, terminal, type Deployment } from '@cert-deployer/connector-sdk';
import { createAcmApi, type AcmApi } from './acm-api.ts';
import { ambientNeeds, ambientSource, type AmbientSource, type Env } from './ambient-source.ts';
import type { AwsAcmConfig } from './config.ts';
import { credentialSource } from './credentials.ts';
import { resolveEndpoint } from './endpoint.ts';
import { findOwned, isAcmArn } from './find-owned.ts';
import { planAcm } from './aws-acm-plan.ts';
import { acmPrivateKey, holdsDeployment, publicMaterial } from './import-material.ts';
import { desiredTags, missingTags, tagValueProblem, type AcmTag } from './tags.ts';

/** Adds the desired tags the certificate lacks; true when it had to. */
async function ensureTags(api: AcmApi, arn: string, desired: readonly AcmTag[]): Promise<boolean> {
  const missing = missingTags((await api.listTags(arn)) ?? [], desired);
  if (missing.length === 0) return false;
  await api.addTags(arn, missing);
  return true;
}

/** The owner id as a tag value, or a terminal error (it comes from the controller, so this is a bug guard). */
function checkedOwnerId(ctx: DeployContext): string {
  const problem = tagValueProblem(ctx.ownerId);
  if (ctx.ownerId === '' || problem !== null) throw terminal(`owner id ${JSON.stringify(ctx.ownerId)} cannot be an ACM tag value: ${problem ?? 'empty'}`);
  return ctx.ownerId;
}

/** Options beyond the CRD block. */
export interface AwsAcmConnectorOptions {
  /** The operator's environment, which selects the ambient identity source; default `process.env`. */
  readonly env?: Env;
}

/**
 * The least grant: the ACM endpoint, plus, without a credentialsRef, exactly what the ambient
 * lookup touches (an STS, container or metadata address; a token file). Pure.
 */
export function grantFor(endpointAddress: string, ambient: AmbientSource | null): Grant {
  const needs = ambient === null ? { dial: [], read: [] } : ambientNeeds(ambient);
  return Object.freeze({ read: Object.freeze([...needs.read]), write: Object.freeze([]), dial: Object.freeze([...new Set([endpointAddress, ...needs.dial])]), exec: Object.freeze([]) });
}

/** Creates an ACM connector for one target's configuration. */
export function createAwsAcmConnector(config: AwsAcmConfig, options: AwsAcmConnectorOptions = {}): Connector {
  const endpoint = resolveEndpoint(config.region, config.endpoint);
  const ambient = config.credentialsRef === undefined ? ambientSource(options.env ?? process.env, config.region) : null;
  const grant = grantFor(endpoint.address, ambient);

  function apiFor(signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext): AcmApi {
    const credentials = credentialSource(config, ctx, ambient ?? { kind: 'unavailable', reason: 'a credentialsRef is set' });
    return createAcmApi(sandbox, signal, { region: config.region, endpoint, credentials });
  }

  return {
    name: 'awsAcm',
    capabilities: () => grant,

    async deploy(signal: AbortSignal, sandbox: Sandbox, dep: Deployment, ctx: DeployContext): Promise<DeployResult> {
      signal.throwIfAborted();
      const key = acmPrivateKey(dep);
      const ownerId = checkedOwnerId(ctx);
      const api = apiFor(signal, sandbox, ctx);
      const tags = desiredTags(ownerId, config.tags);
      const found = await findOwned(api, ownerId, ctx.remoteId);
      const others = found.all.filter((a) => a !== found.arn);
      const note = others.length === 0 ? '' : `; ${others.length} other certificate(s) also carry this target's owner tag: ${others.join(', ')}`;

      if (found.arn !== null) {
        const stored = await api.getCertificate(found.arn);
        if (stored !== null && holdsDeployment(stored, dep)) {
          const retagged = await ensureTags(api, found.arn, tags);
          return { changed: retagged, remoteId: found.arn, message: `ACM ${found.arn} already holds this certificate${retagged ? '; restored its tags' : ''}${note}` };
        }
        if (stored !== null) {
          // ACM refuses Tags on a re-import and keeps the certificate's tags; put back any that are missing.
          await api.importCertificate({ arn: found.arn, ...publicMaterial(dep), privateKey: key.reveal() });
          await ensureTags(api, found.arn, tags);
          return { changed: true, remoteId: found.arn, message: `re-imported into ${found.arn} (found by ${found.via})${note}` };
        }
      }
      const arn = await api.importCertificate({ ...publicMaterial(dep), privateKey: key.reveal(), tags });
      return { changed: true, remoteId: arn, message: `imported as ${arn}` };
    },

    // Drift: what the ARN in status holds (the ARN services are attached to, read even when
    // its owner tag is gone), else the certificate the owner tag finds; read with GetCertificate.
    // Someone re-importing another certificate into the ARN shows as Diverged.
    async inspect(signal, sandbox, ctx) {
      signal.throwIfAborted();
      const api = apiFor(signal, sandbox, ctx);
      const statusArn = isAcmArn(ctx.remoteId) ? ctx.remoteId : null;
      const fromStatus = statusArn === null ? null : await api.getCertificate(statusArn);
      const arn = fromStatus !== null ? statusArn : (await findOwned(api, checkedOwnerId(ctx), undefined)).arn;
      if (arn === null) return { active: null, message: statusArn === null ? "no ACM certificate carries this target's owner tag" : `${statusArn} no longer exists and no certificate carries this target's owner tag` };
      const stored = fromStatus ?? (await api.getCertificate(arn));
      if (stored === null) return { active: null, message: `${arn} does not exist` };
      const held = heldCertificateOf(stored.certificate);
      return { active: held, message: held ? `ACM ${arn} holds ${held.fingerprint.slice(0, 12)}…` : `ACM ${arn} holds no readable certificate` };
    },

    /** Plan mode: see aws-acm-plan.ts. */
    async plan(signal: AbortSignal, sandbox: Sandbox, dep: Deployment, ctx: DeployContext) {
      signal.throwIfAborted();
      acmPrivateKey(dep);
      const ownerId = checkedOwnerId(ctx);
      return planAcm(apiFor(signal, sandbox, ctx), ownerId, desiredTags(ownerId, config.tags), dep, ctx);
    },

    async undeploy(signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext): Promise<void> {
      signal.throwIfAborted();
      const ownerId = checkedOwnerId(ctx);
      const api = apiFor(signal, sandbox, ctx);
      const found = await findOwned(api, ownerId, ctx.remoteId, true);
      const inUse: string[] = [];
      for (const arn of found.all) {
        if ((await api.deleteCertificate(arn)) === 'in-use') {
          const users = await api.inUseBy(arn);
          inUse.push(`${arn} (used by ${users.length === 0 ? 'an AWS service' : users.join(', ')})`);
        }
      }
      if (inUse.length > 0) {
        throw retryable(`ACM refuses to delete a certificate while a service uses it; detach it, or set deletionPolicy: Retain: ${inUse.join('; ')}`);
      }
    },
  };
}
