/**
 * docs/connectors/aws-acm.md must stay a working page: its CertificateDeployment validates
 * against the spec the CRD is generated from, its policy example allows every target's grant,
 * and its IAM policy names exactly the ACM operations the connector's code calls.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { awsAcmConnector, createAwsAcmConnector } from '../../../../src/connectors/aws-acm/index.ts';
import { connectorBlocks } from '../../../../src/connectors/registry.ts';
import { grantShortfall } from '../../../../src/controller/grant-shortfall.ts';
import { specSchema } from '../../../../src/crds/spec.ts';
import type { Policy } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const page = () => readFile(join(root, 'docs', 'connectors', 'aws-acm.md'), 'utf8');
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string);

describe('docs/connectors/aws-acm.md', () => {
  it('its CertificateDeployment is valid, and the policy example allows every target it declares', async () => {
    const docs = blocks(await page(), 'yaml').flatMap((y) => parseAllDocuments(y).map((d) => d.toJS() as Record<string, unknown>));
    const cd = docs.find((d) => d.kind === 'CertificateDeployment');
    const policy = docs.find((d) => d.policy !== undefined)?.policy as Policy | undefined;
    expect(cd).toBeDefined();
    expect(policy).toBeDefined();
    const spec = specSchema(connectorBlocks()).parse(cd?.spec);
    expect(spec.deletionPolicy).toBe('Delete');
    for (const target of spec.targets) {
      const block = awsAcmConnector.configSchema.parse((target as { awsAcm?: unknown }).awsAcm);
      expect(grantShortfall(awsAcmConnector.create(block).capabilities(), policy as Policy), target.name).toEqual([]);
    }
  });

  it('the ambient identity policy example allows exactly what an IRSA target in us-east-1 declares', async () => {
    const docs = blocks(await page(), 'yaml').flatMap((y) => parseAllDocuments(y).map((d) => d.toJS() as Record<string, unknown>));
    const policy = docs.filter((d) => d.policy !== undefined).map((d) => d.policy as Policy).find((p) => p.ambientCloudIdentity === true);
    expect(policy).toBeDefined();
    const irsa = { AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/cert-deployer' };
    const grant = createAwsAcmConnector(awsAcmConnector.configSchema.parse({ region: 'us-east-1' }), { env: irsa }).capabilities();
    expect(grantShortfall(grant, policy as Policy)).toEqual([]);
    expect(grantShortfall(grant, { ...policy, pathRoots: [] })).toEqual(['read /var/run/secrets/eks.amazonaws.com/serviceaccount/token']);
  });

  it('the IAM policy grants exactly the ACM operations the connector calls', async () => {
    const iam = JSON.parse(blocks(await page(), 'json')[0] ?? '{}') as { Statement: { Action: string[] }[] };
    const documented = new Set(iam.Statement.flatMap((s) => s.Action));
    const source = await readFile(join(root, 'src', 'connectors', 'aws-acm', 'acm-api.ts'), 'utf8');
    const called = new Set([...source.matchAll(/new (?:sdk\.)?(\w+)Command\(/g)].map((m) => `acm:${m[1]}`));
    expect([...documented].sort()).toEqual([...called].sort());
    expect(called.size).toBe(7);
  });
});
