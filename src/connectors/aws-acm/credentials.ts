/**
 * Where the connector's AWS identity comes from: an access key in a referenced Secret, or —
 * only when the operator policy says so — the pod's ambient identity, looked up through the
 * sandbox (ambient-source.ts decides which, ambient-credentials.ts fetches it). Pure: it reads
 * the Secrets the controller already passed in `ctx.secrets` and decides; it never talks to
 * Kubernetes or AWS itself.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { type DeployContext, retryable, terminal } from '@cert-deployer/connector-sdk';
import type { AmbientSource } from './ambient-source.ts';
import type { AwsAcmConfig } from './config.ts';
import { ambientEndpointProblem, resolveEndpoint } from './endpoint.ts';

/** The keys of the credentials Secret, named as in the AWS shared credentials file. */
export const CredentialKeys = {
  AccessKeyId: 'aws_access_key_id',
  SecretAccessKey: 'aws_secret_access_key',
  SessionToken: 'aws_session_token',
} as const;

/** Access key IDs (AKIA… long-term, ASIA… temporary): 16 to 128 word characters, per the IAM API. */
const ACCESS_KEY_ID = /^\w{16,128}$/;

/**
 * How the SDK client gets its identity: static credentials from the Secret, or `ambient`,
 * the pod's identity from the source the operator's environment selects (environment keys,
 * IRSA web identity, EKS Pod Identity / ECS container endpoint, EC2 instance metadata), never
 * the SDK's own default chain, whose lookups bypass the sandbox.
 */
export type CredentialSource = { readonly kind: 'static'; readonly credentials: AwsCredentialIdentity } | { readonly kind: 'ambient'; readonly source: AmbientSource };

/**
 * The credential source for this deploy. Throws a ConnectorError explaining what is missing:
 * terminal for a policy refusal or a malformed Secret, retryable for a Secret not there yet.
 */
export function credentialSource(config: AwsAcmConfig, ctx: DeployContext, ambient: AmbientSource): CredentialSource {
  const ref = config.credentialsRef;
  if (ref === undefined) {
    if (ctx.allowAmbientIdentity === true) {
      const problem = ambientEndpointProblem(resolveEndpoint(config.region, config.endpoint).url);
      if (problem !== null) throw terminal(problem);
      return { kind: 'ambient', source: ambient };
    }
    throw terminal(
      'awsAcm has no credentialsRef and the operator policy does not allow ambient cloud identity (policy.ambientCloudIdentity is false): ' +
        `reference a Secret with ${CredentialKeys.AccessKeyId} and ${CredentialKeys.SecretAccessKey}, or ask the operator administrator to enable ambient identity (IRSA)`,
    );
  }
  const secret = ctx.secrets?.get(ref.name);
  // Often created just after the deployment: retryable (the controller also watches it and re-runs at once).
  if (secret === undefined) throw retryable(`credentials Secret ${JSON.stringify(ref.name)} was not found in the deployment's namespace`);
  const read = (key: string): string | undefined => {
    const v = secret[key]?.reveal().trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const accessKeyId = read(CredentialKeys.AccessKeyId);
  const secretAccessKey = read(CredentialKeys.SecretAccessKey);
  const missing = [
    ...(accessKeyId === undefined ? [CredentialKeys.AccessKeyId] : []),
    ...(secretAccessKey === undefined ? [CredentialKeys.SecretAccessKey] : []),
  ];
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw terminal(`credentials Secret ${JSON.stringify(ref.name)} lacks ${missing.join(' and ')}`);
  }
  if (!ACCESS_KEY_ID.test(accessKeyId)) {
    throw terminal(`credentials Secret ${JSON.stringify(ref.name)}: ${CredentialKeys.AccessKeyId} is not an AWS access key id (16 to 128 letters and digits)`);
  }
  const sessionToken = read(CredentialKeys.SessionToken);
  return { kind: 'static', credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } };
}
