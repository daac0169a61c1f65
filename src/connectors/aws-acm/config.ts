/**
 * The `awsAcm` connector block: imports the certificate into AWS Certificate Manager in one
 * region and re-imports every renewal into the same ARN, so the load balancers and CloudFront
 * distributions that use it never need to be re-pointed.
 *
 * The zod schema is the CRD's schema too. Checks the CRD cannot express structurally (tag key
 * syntax, the reserved owner tag, "http only on loopback") are zod refinements, so a bad block
 * is an `InvalidSpec` with the field named, before any connector is created.
 */
import { z } from 'zod';
import { endpointProblem } from './endpoint.ts';
import { OWNER_TAG_KEY, tagKeyProblem, tagValueProblem } from './tags.ts';

/** ACM allows 50 tags per certificate; this leaves room for the owner tag and for tags others add. */
export const MAX_USER_TAGS = 40;

/** AWS region names: `us-east-1`, `eu-central-2`, `cn-north-1`, `us-gov-west-1`, `ap-southeast-5`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;

export const awsAcmConfig = z
  .object({
    region: z
      .string()
      .min(9)
      .max(32)
      .regex(REGION, 'must be an AWS region name such as us-east-1')
      .describe('AWS region of the ACM certificate, e.g. us-east-1 (CloudFront needs us-east-1).'),
    endpoint: z
      .string()
      .max(2048)
      .optional()
      .describe(
        'ACM endpoint URL override, for VPC interface endpoints or tests; default https://acm.<region>.amazonaws.com ' +
          '(.amazonaws.com.cn in China regions). Must be https; plain http is accepted only for loopback addresses (127.0.0.0/8, ::1, localhost). ' +
          'The grant dials exactly this host:port.',
      ),
    credentialsRef: z
      .object({ name: z.string().min(1).max(253).describe('Secret name in the same namespace.') })
      .optional()
      .describe(
        'Secret holding an access key: aws_access_key_id, aws_secret_access_key and optionally aws_session_token. ' +
          'Omitted: the pod\'s ambient identity (IRSA web identity, EKS Pod Identity, instance role), which the operator policy must allow (ambientCloudIdentity: true).',
      ),
    tags: z
      .record(z.string(), z.string().max(256))
      .meta({ maxProperties: MAX_USER_TAGS })
      .optional()
      .describe(
        `Extra tags put on the certificate (at most ${MAX_USER_TAGS}). The connector always adds ${OWNER_TAG_KEY}, which marks the certificate as ` +
          'created by this deployment target; that key and keys starting with aws: are reserved.',
      ),
  })
  .superRefine((config, ctx) => {
    if (config.endpoint !== undefined) {
      const problem = endpointProblem(config.endpoint);
      if (problem !== null) ctx.addIssue({ code: 'custom', path: ['endpoint'], message: problem });
    }
    const tags = Object.entries(config.tags ?? {});
    if (tags.length > MAX_USER_TAGS) ctx.addIssue({ code: 'custom', path: ['tags'], message: `at most ${MAX_USER_TAGS} tags, got ${tags.length}` });
    for (const [key, value] of tags) {
      const problem = tagKeyProblem(key) ?? tagValueProblem(value);
      if (problem !== null) ctx.addIssue({ code: 'custom', path: ['tags', key], message: problem });
    }
  })
  .describe('Imports the certificate into AWS Certificate Manager and re-imports every renewal into the same ARN.');

/** The validated block, as the connector receives it. */
export type AwsAcmConfig = z.infer<typeof awsAcmConfig>;
