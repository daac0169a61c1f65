/**
 * Which identity a deploy uses: the service account key in the referenced Secret, or, when no
 * Secret is referenced, the pod's workload identity, but only if the operator policy allows
 * ambient identity, and only towards a Google API endpoint (ambient-endpoint.ts). Decided
 * before any request, so a refused identity costs no I/O.
 */
import { type DeployContext, terminal, type Sandbox } from '@cert-deployer/connector-sdk';
import { metadataTokens, serviceAccountTokens, type TokenSource } from './access-token.ts';
import { ambientEndpointProblem } from './ambient-endpoint.ts';
import type { GcpCertificateManagerConfig } from './config.ts';
import { parseServiceAccountKey } from './service-account-key.ts';

/** The Secret key holding the service account key JSON. */
export const KEY_JSON = 'key.json';

/** The token source for `config` in `ctx`, or a terminal error saying what is missing. */
export function tokenSourceFor(config: GcpCertificateManagerConfig, ctx: DeployContext, sandbox: Sandbox, now: () => number): TokenSource {
  const ref = config.credentialsRef;
  if (ref === undefined) {
    if (ctx.allowAmbientIdentity !== true) {
      throw terminal('no credentialsRef is set and the operator policy does not allow ambient cloud identity (policy.ambientCloudIdentity): reference a Secret with a service account key, or allow workload identity');
    }
    const problem = ambientEndpointProblem(config.endpoint);
    if (problem !== null) throw terminal(problem);
    return metadataTokens(sandbox, config.metadataServerUrl);
  }
  const secret = ctx.secrets?.get(ref.name);
  if (secret === undefined) throw terminal(`credentials Secret ${ref.name} was not found in the deployment's namespace`);
  const keyJson = secret[KEY_JSON];
  if (keyJson === undefined) throw terminal(`credentials Secret ${ref.name} has no ${KEY_JSON} key`);
  return serviceAccountTokens(sandbox, parseServiceAccountKey(keyJson, ref.name), config.tokenUrl, now);
}
