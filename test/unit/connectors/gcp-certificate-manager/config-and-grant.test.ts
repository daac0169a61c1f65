/**
 * The block's validation and the grant it implies: defaults, what is refused (plain http off
 * loopback, paths on the API endpoint, the owner label set by hand, invalid GCP names), and
 * the exact dial items for each identity.
 */
import { describe, expect, it } from 'vitest';
import { gcpCertificateManagerConnector } from '../../../../src/connectors/gcp-certificate-manager/index.ts';
import { grantFor } from '../../../../src/connectors/gcp-certificate-manager/grant.ts';

const schema = gcpCertificateManagerConnector.configSchema;
const minimal = { project: 'my-project', certificateId: 'web' };

const issues = (input: unknown): string[] => {
  const r = schema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('gcpCertificateManager config', () => {
  it('fills in the documented defaults', () => {
    expect(schema.parse(minimal)).toEqual({
      ...minimal,
      location: 'global',
      endpoint: 'https://certificatemanager.googleapis.com',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      metadataServerUrl: 'http://metadata.google.internal',
    });
  });

  it.each([
    [{ endpoint: 'http://certificatemanager.example.com' }, /endpoint must use https/],
    [{ endpoint: 'https://certificatemanager.googleapis.com/v1' }, /no path/],
    [{ endpoint: 'https://user:pw@certificatemanager.googleapis.com' }, /userinfo/],
    [{ tokenUrl: 'http://oauth.example.com/token' }, /tokenUrl must use https/],
    [{ tokenUrl: 'https://oauth.example.com/token?x=1' }, /query/],
    [{ labels: { 'certdeployer-owner': 'x' } }, /set by cert-deployer/],
    [{ labels: { Team: 'web' } }, /labels\.Team: Invalid key/],
    [{ labels: { team: 'Web' } }, /label values/],
    [{ certificateId: 'Web_1' }, /lowercase letters/],
    [{ certificateId: 'web-' }, /lowercase letters/],
    [{ project: 'My Project' }, /project id/],
    [{ location: 'Europe West' }, /location/],
    [{ credentialsRef: {} }, /credentialsRef\.name/],
  ])('refuses %j', (override, message) => {
    expect(issues({ ...minimal, ...override }).join('\n')).toMatch(message);
  });

  it.each([
    { endpoint: 'http://127.0.0.1:8080', tokenUrl: 'http://localhost:9/token' },
    { endpoint: 'http://[::1]:8080' },
    { metadataServerUrl: 'http://169.254.169.254' },
    { project: 'example.com:my-project', location: 'europe-west1', labels: { team: 'web', 'cost_center': '' } },
    { project: '123456789012' },
  ])('accepts %j', (override) => {
    expect(issues({ ...minimal, ...override })).toEqual([]);
  });
});

describe('gcpCertificateManager grant', () => {
  it('service account key: the API and the OAuth token endpoint, nothing else', () => {
    expect(grantFor(schema.parse({ ...minimal, credentialsRef: { name: 'k' } }))).toEqual({
      read: [], write: [], exec: [], dial: ['certificatemanager.googleapis.com:443', 'oauth2.googleapis.com:443'],
    });
  });

  it('workload identity: the API and the metadata server', () => {
    expect(grantFor(schema.parse(minimal)).dial).toEqual(['certificatemanager.googleapis.com:443', 'metadata.google.internal:80']);
  });

  it('custom endpoints give their exact host:port; one address is one item', () => {
    const c = schema.parse({ ...minimal, credentialsRef: { name: 'k' }, endpoint: 'http://[::1]:8443', tokenUrl: 'https://Token.Example.com/oauth/token' });
    expect(grantFor(c).dial).toEqual(['[::1]:8443', 'token.example.com:443']);
    const same = schema.parse({ ...minimal, credentialsRef: { name: 'k' }, endpoint: 'http://127.0.0.1:9000', tokenUrl: 'http://127.0.0.1:9000/token' });
    expect(grantFor(same).dial).toEqual(['127.0.0.1:9000']);
  });

  it('registers the credentials Secret only when one is referenced', () => {
    expect(gcpCertificateManagerConnector.secretRefs?.(schema.parse({ ...minimal, credentialsRef: { name: 'gcp-key' } }))).toEqual(['gcp-key']);
    expect(gcpCertificateManagerConnector.secretRefs?.(schema.parse(minimal))).toEqual([]);
  });
});
