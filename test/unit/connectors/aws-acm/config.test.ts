/**
 * The awsAcm block: what the schema accepts and refuses (with the field named), and the exact
 * grant each configuration declares.
 */
import { describe, expect, it } from 'vitest';
import { awsAcmConnector } from '../../../../src/connectors/aws-acm/index.ts';
import { ambientEndpointProblem, defaultEndpoint, endpointProblem, resolveEndpoint } from '../../../../src/connectors/aws-acm/endpoint.ts';
import { createAwsAcmConnector } from '../../../../src/connectors/aws-acm/index.ts';
import { desiredTags, isOwnedBy, missingTags, OWNER_TAG_KEY, tagKeyProblem, tagValueProblem } from '../../../../src/connectors/aws-acm/tags.ts';

const parse = (block: unknown) => awsAcmConnector.configSchema.safeParse(block);
const issues = (block: unknown) => parse(block).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
const grantOf = (block: unknown) => awsAcmConnector.create(awsAcmConnector.configSchema.parse(block)).capabilities();

describe('awsAcm configuration', () => {
  it('accepts a minimal block and a full one', () => {
    expect(issues({ region: 'us-east-1', credentialsRef: { name: 'aws' } })).toEqual([]);
    expect(issues({ region: 'cn-north-1' })).toEqual([]);
    expect(issues({ region: 'us-gov-west-1', endpoint: 'https://vpce-0a1b.acm.us-gov-west-1.vpce.amazonaws.com', credentialsRef: { name: 'aws' }, tags: { team: 'web', 'cost center': 'a/b=c+d@e' } })).toEqual([]);
  });

  it('refuses bad regions, endpoints and tags, naming the field', () => {
    expect(issues({ region: 'US-EAST-1' })[0]).toMatch(/^region: /);
    expect(issues({ region: 'us-east-1', endpoint: 'http://acm.example.com' })).toEqual(['endpoint: plain http is accepted only for loopback addresses (127.0.0.0/8, ::1, localhost); use https']);
    expect(issues({ region: 'us-east-1', endpoint: 'ftp://127.0.0.1' })[0]).toMatch(/^endpoint: scheme ftp:/);
    expect(issues({ region: 'us-east-1', endpoint: 'https://acm.example.com/v1' })[0]).toMatch(/without a path/);
    expect(issues({ region: 'us-east-1', endpoint: 'https://u:p@acm.example.com' })[0]).toMatch(/user:password/);
    expect(issues({ region: 'us-east-1', endpoint: 'acm.example.com' })[0]).toMatch(/absolute URL/);
    expect(issues({ region: 'us-east-1', tags: { [OWNER_TAG_KEY]: 'x' } })[0]).toMatch(/set by the connector/);
    expect(issues({ region: 'us-east-1', tags: { 'aws:cloudformation': 'x' } })[0]).toMatch(/reserved by AWS/);
    expect(issues({ region: 'us-east-1', tags: { 'bad#key': 'x' } })[0]).toMatch(/^tags.bad#key: tag keys may hold/);
    expect(issues({ region: 'us-east-1', tags: { k: 'v'.repeat(257) } })[0]).toMatch(/^tags.k: /);
    expect(issues({ region: 'us-east-1', tags: Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`k${i}`, 'v'])) })[0]).toMatch(/at most 40 tags/);
    expect(issues({ region: 'us-east-1', credentialsRef: {} })[0]).toMatch(/^credentialsRef.name/);
  });

  it('accepts plain http only on loopback', () => {
    for (const ok of ['http://127.0.0.1:4566', 'http://127.1.2.3', 'http://localhost:5000', 'http://[::1]:4566', 'https://10.0.0.5:8443']) expect(endpointProblem(ok), ok).toBeNull();
    for (const bad of ['http://10.0.0.5', 'http://[::2]:80', 'http://localhost.example.com']) expect(endpointProblem(bad), bad).not.toBeNull();
  });

  it('names the Secret it reads', () => {
    expect(awsAcmConnector.secretRefs?.(awsAcmConnector.configSchema.parse({ region: 'us-east-1', credentialsRef: { name: 'aws' } }))).toEqual(['aws']);
    expect(awsAcmConnector.secretRefs?.(awsAcmConnector.configSchema.parse({ region: 'us-east-1' }))).toEqual([]);
    expect(awsAcmConnector.hostOf).toBeUndefined();
  });
});

describe('awsAcm grant', () => {
  it('dials exactly the endpoint: the regional default, or the override with its port', () => {
    expect(grantOf({ region: 'eu-west-1', credentialsRef: { name: 'a' } })).toEqual({ read: [], write: [], dial: ['acm.eu-west-1.amazonaws.com:443'], exec: [] });
    expect(grantOf({ region: 'cn-northwest-1', credentialsRef: { name: 'a' } }).dial).toEqual(['acm.cn-northwest-1.amazonaws.com.cn:443']);
    expect(grantOf({ region: 'us-east-1', endpoint: 'https://ACM.Internal.Example:8443', credentialsRef: { name: 'a' } }).dial).toEqual(['acm.internal.example:8443']);
    expect(grantOf({ region: 'us-east-1', endpoint: 'http://[::1]:4566', credentialsRef: { name: 'a' } }).dial).toEqual(['[::1]:4566']);
    expect(grantOf({ region: 'us-east-1', endpoint: 'http://localhost', credentialsRef: { name: 'a' } }).dial).toEqual(['localhost:80']);
  });

  it('adds the regional STS endpoint and the token file for IRSA ambient identity (both go through the sandbox)', () => {
    const irsa = { AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/r' };
    const grant = (region: string) => createAwsAcmConnector(awsAcmConnector.configSchema.parse({ region }), { env: irsa }).capabilities();
    expect(grant('ap-southeast-2')).toEqual({
      read: ['/var/run/secrets/eks.amazonaws.com/serviceaccount/token'], write: [], exec: [],
      dial: ['acm.ap-southeast-2.amazonaws.com:443', 'sts.ap-southeast-2.amazonaws.com:443'],
    });
    expect(grant('cn-north-1').dial).toEqual(['acm.cn-north-1.amazonaws.com.cn:443', 'sts.cn-north-1.amazonaws.com.cn:443']);
  });

  it('ambient identity signs only for AWS hosts or loopback', () => {
    for (const ok of ['https://acm.us-east-1.amazonaws.com', 'https://vpce-0a1b-xyz.acm.eu-west-1.vpce.amazonaws.com', 'https://acm.cn-north-1.amazonaws.com.cn', 'http://127.0.0.1:5000', 'http://localhost']) {
      expect(ambientEndpointProblem(ok), ok).toBeNull();
    }
    for (const bad of ['https://acm.example.com', 'https://amazonaws.com.evil.example', 'https://evilamazonaws.com', 'https://10.0.0.1']) {
      expect(ambientEndpointProblem(bad), bad).toMatch(/refusing to sign requests/);
    }
  });

  it('is frozen and pure', () => {
    const c = awsAcmConnector.create(awsAcmConnector.configSchema.parse({ region: 'us-east-1' }));
    expect(Object.isFrozen(c.capabilities())).toBe(true);
    expect(c.capabilities()).toBe(c.capabilities());
    expect(resolveEndpoint('us-east-1', undefined)).toEqual({ url: defaultEndpoint('us-east-1'), address: 'acm.us-east-1.amazonaws.com:443' });
  });
});

describe('awsAcm tags', () => {
  it('the owner tag comes first, then the configured tags', () => {
    expect(desiredTags('uid/t', { a: '1' })).toEqual([{ Key: OWNER_TAG_KEY, Value: 'uid/t' }, { Key: 'a', Value: '1' }]);
  });

  it('ownership needs the exact owner value', () => {
    expect(isOwnedBy([{ Key: OWNER_TAG_KEY, Value: 'uid/t' }], 'uid/t')).toBe(true);
    expect(isOwnedBy([{ Key: OWNER_TAG_KEY, Value: 'uid/t2' }], 'uid/t')).toBe(false);
    expect(isOwnedBy([{ Key: 'owner', Value: 'uid/t' }], 'uid/t')).toBe(false);
    expect(isOwnedBy([], 'uid/t')).toBe(false);
  });

  it('missing tags are the desired ones absent or different; foreign tags are never removed', () => {
    const desired = desiredTags('o', { a: '1', b: '2' });
    expect(missingTags([{ Key: OWNER_TAG_KEY, Value: 'o' }, { Key: 'a', Value: '1' }, { Key: 'other', Value: 'x' }], desired)).toEqual([{ Key: 'b', Value: '2' }]);
    expect(missingTags([{ Key: OWNER_TAG_KEY, Value: 'o' }, { Key: 'a', Value: '9' }, { Key: 'b', Value: '2' }], desired)).toEqual([{ Key: 'a', Value: '1' }]);
    expect(missingTags(desired, desired)).toEqual([]);
  });

  it('key and value syntax follows ACM', () => {
    expect(tagKeyProblem('')).toMatch(/1 to 128/);
    expect(tagKeyProblem('k'.repeat(129))).toMatch(/1 to 128/);
    expect(tagKeyProblem('Ünïcode key 1_.:/=+-@')).toBeNull();
    expect(tagValueProblem('')).toBeNull();
    expect(tagValueProblem('a,b')).toMatch(/may hold/);
  });
});
