/**
 * The pure choice of the ambient AWS identity source from the operator's environment, in the
 * SDK default chain's order, and what each choice declares. No I/O: the lookups themselves are
 * tested against moto and a recording listener in ambient.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ambientNeeds, ambientSource, describeSource, type Env } from '../../../../src/connectors/aws-acm/ambient-source.ts';
import { parseCredentialDocument, xmlText } from '../../../../src/connectors/aws-acm/ambient-credentials.ts';

const IRSA: Env = { AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/r' };
const POD_IDENTITY: Env = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
};
const needs = (env: Env, region = 'us-east-1') => ambientNeeds(ambientSource(env, region));
const reason = (env: Env) => {
  const s = ambientSource(env, 'us-east-1');
  return s.kind === 'unavailable' ? s.reason : `chose ${s.kind}`;
};

describe('ambientSource', () => {
  it('follows the SDK order: environment keys, web identity, container, instance metadata', () => {
    const keys = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' };
    expect(ambientSource({ ...keys, ...IRSA, ...POD_IDENTITY }, 'us-east-1').kind).toBe('environment');
    expect(ambientSource({ ...IRSA, ...POD_IDENTITY }, 'us-east-1').kind).toBe('web-identity');
    expect(ambientSource(POD_IDENTITY, 'us-east-1').kind).toBe('container');
    expect(ambientSource({}, 'us-east-1').kind).toBe('instance-metadata');
  });

  it('declares exactly what each source touches', () => {
    expect(needs({ AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' })).toEqual({ dial: [], read: [] });
    expect(needs(IRSA, 'eu-central-1')).toEqual({ dial: ['sts.eu-central-1.amazonaws.com:443'], read: [IRSA.AWS_WEB_IDENTITY_TOKEN_FILE] });
    expect(needs(IRSA, 'cn-north-1').dial).toEqual(['sts.cn-north-1.amazonaws.com.cn:443']);
    expect(needs({ ...IRSA, AWS_ENDPOINT_URL_STS: 'https://sts.internal.example:8443' }).dial).toEqual(['sts.internal.example:8443']);
    expect(needs(POD_IDENTITY)).toEqual({ dial: ['169.254.170.23:80'], read: [POD_IDENTITY.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE] });
    expect(needs({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://[fd00:ec2::23]/v1/credentials' }).dial).toEqual(['[fd00:ec2::23]:80']);
    expect(needs({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/abc' })).toEqual({ dial: ['169.254.170.2:80'], read: [] });
    expect(needs({})).toEqual({ dial: ['169.254.169.254:80'], read: [] });
    expect(needs({ AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6' }).dial).toEqual(['[fd00:ec2::254]:80']);
    expect(needs({ AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:1338' }).dial).toEqual(['127.0.0.1:1338']);
  });

  it('the relative container URI wins over the full one (SDK precedence)', () => {
    expect(needs({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/x', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'https://creds.example/x' }).dial).toEqual(['169.254.170.2:80']);
  });

  it('refuses what it cannot route or should not trust, saying why', () => {
    expect(reason({ AWS_WEB_IDENTITY_TOKEN_FILE: '/t' })).toMatch(/needs both .* only AWS_WEB_IDENTITY_TOKEN_FILE is set/);
    expect(reason({ ...IRSA, AWS_WEB_IDENTITY_TOKEN_FILE: 'relative/token' })).toMatch(/must be an absolute path/);
    expect(reason({ ...IRSA, AWS_ENDPOINT_URL_STS: 'http://sts.example.com' })).toMatch(/AWS_ENDPOINT_URL_STS plain http is accepted only for loopback/);
    expect(reason({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://10.0.0.1/creds' })).toMatch(/must be https, or http to loopback/);
    expect(reason({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'https://u:p@creds.example/x' })).toMatch(/user:password/);
    expect(reason({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/x', AWS_CONTAINER_AUTHORIZATION_TOKEN: 'a\r\nInjected: 1' })).toMatch(/line break/);
    expect(reason({ AWS_PROFILE: 'prod' })).toMatch(/AWS_PROFILE is set.*outside the sandbox/);
    expect(reason({ AWS_EC2_METADATA_DISABLED: 'true' })).toMatch(/instance metadata is disabled/);
    expect(reason({ AWS_EC2_METADATA_DISABLED: 'false' })).toBe('chose instance-metadata');
    expect(reason({ AWS_EC2_METADATA_SERVICE_ENDPOINT: 'file:///etc/passwd' })).toMatch(/must be an http\(s\) URL/);
    expect(needs({ AWS_PROFILE: 'prod' })).toEqual({ dial: [], read: [] });
  });

  it('descriptions name the source and address, never a credential or a path with one', () => {
    const text = [
      describeSource(ambientSource({ AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, 'us-east-1')),
      describeSource(ambientSource({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/secret-id-123', AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok' }, 'us-east-1')),
    ].join('\n');
    expect(text).toContain('169.254.170.2:80');
    for (const secret of ['wJalrXUtnFEMI', 'secret-id-123', 'tok\n']) expect(text).not.toContain(secret);
  });
});

describe('credential documents', () => {
  const bytes = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  it('reads the container / IMDS JSON and refuses what is not one', () => {
    expect(parseCredentialDocument(bytes({ AccessKeyId: 'A', SecretAccessKey: 'S', Token: 'T', Expiration: '2030-01-01T00:00:00Z' }), 'x')).toEqual({
      accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expiration: new Date('2030-01-01T00:00:00Z'),
    });
    expect(() => parseCredentialDocument(bytes({ Code: 'AssumeRoleUnauthorizedAccess' }), 'imds')).toThrow(/reports AssumeRoleUnauthorizedAccess/);
    expect(() => parseCredentialDocument(new TextEncoder().encode('<html>'), 'imds')).toThrow(/not JSON/);
    expect(() => parseCredentialDocument(bytes({ AccessKeyId: 'A' }), 'imds')).toThrow(/no AccessKeyId and SecretAccessKey/);
  });

  it('reads STS XML elements with entities decoded', () => {
    const xml = '<R><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>a&amp;b/c+d</SecretAccessKey></Credentials><Code>X</Code></R>';
    expect(xmlText(xml, 'AccessKeyId')).toBe('ASIA1');
    expect(xmlText(xml, 'SecretAccessKey')).toBe('a&b/c+d');
    expect(xmlText(xml, 'SessionToken')).toBeUndefined();
  });
});
