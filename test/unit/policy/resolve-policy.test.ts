import { describe, expect, it } from 'vitest';
import { parsePolicies } from '../../../src/controller/policy/policy-object.ts';
import { resolveTargetPolicy, type TargetNeeds } from '../../../src/controller/policy/resolve-policy.ts';
import type { Grant } from '../../../packages/connector-sdk/src/sandbox/grant.ts';

const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

const policies = parsePolicies([
  { metadata: { name: 'team-a' }, spec: {
    namespaces: ['team-a'],
    hosts: [{ ssh: { address: 'edge-a:22', hostKeys: [KEY_A] }, pathRoots: ['/etc/nginx/tls'], commands: [['/usr/sbin/nginx', '-s', 'reload']] }],
    dial: ['edge-a:443'], credentialSecrets: ['edge-a-ssh'],
  } },
  { metadata: { name: 'team-b' }, spec: {
    namespaceSelector: { matchLabels: { team: 'b' } },
    hosts: [{ ssh: { address: 'edge-b:22', hostKeys: [KEY_B] }, pathRoots: ['/srv/tls'] }],
    credentialSecrets: ['edge-b-ssh'],
  } },
  { metadata: { name: 'ops-local' }, spec: { namespaces: ['ops'], hosts: [{ local: {}, pathRoots: ['/var/lib/certs'], commands: [['/bin/systemctl', 'reload', 'app']] }] } },
  { metadata: { name: 'cloud' }, spec: { namespaces: ['cloud'], dial: ['acm.us-east-1.amazonaws.com:443'], credentialSecrets: ['aws'], ambientCloudIdentity: true } },
]);

const grant = (g: Partial<Grant>): Grant => ({ read: [], write: [], dial: [], exec: [], ...g });
const ssh = (address: string, hostKey: string | undefined, creds = 'edge-a-ssh') => ({ ssh: { address, user: 'deploy', credentialsRef: { name: creds }, ...(hostKey ? { hostKey } : {}) } });
const needs = (over: Partial<TargetNeeds>): TargetNeeds => ({
  namespace: { name: 'team-a', labels: {} }, host: ssh('edge-a:22', KEY_A), secretRefs: ['edge-a-ssh'],
  declared: grant({ write: ['/etc/nginx/tls/site.crt', '/etc/nginx/tls/site.key'], exec: [{ argv: ['/usr/sbin/nginx', '-s', 'reload'] }] }),
  extraDials: [], ...over,
});

describe('resolveTargetPolicy: the flat policy of one target, deny by default', () => {
  it('grants a target exactly its namespace policy\'s items for its host, and names the policy', () => {
    const r = resolveTargetPolicy(policies, needs({ extraDials: ['edge-a:443'] }));
    expect(r).toEqual({ ok: true, names: ['team-a'], policy: { pathRoots: ['/etc/nginx/tls'], commands: [['/usr/sbin/nginx', '-s', 'reload']], hosts: ['edge-a:22', 'edge-a:443'], ambientCloudIdentity: false } });
  });

  const denials: [string, Partial<TargetNeeds>, RegExp][] = [
    ['no policy selects the namespace', { namespace: { name: 'nobody', labels: {} } }, /no DeploymentPolicy selects namespace nobody.*spec\.namespaces: \[nobody\].*ssh: \{address: edge-a:22.*pathRoots covering \/etc\/nginx\/tls/],
    ['tenant A names tenant B\'s host', { host: ssh('edge-b:22', KEY_B) }, /does not allow.*|no DeploymentPolicy selecting namespace team-a allows host ssh edge-b:22/],
    ['unpinned host key (trust on first use)', { host: ssh('edge-a:22', undefined) }, /trust on first use is not allowed/],
    ['a host key the policy does not list', { host: ssh('edge-a:22', KEY_B) }, /pinned host key is not among the hostKeys/],
    ['a path outside the roots', { declared: grant({ write: ['/etc/shadow'] }) }, /do not allow: write \/etc\/shadow/],
    ['a sibling directory with the root as prefix', { declared: grant({ write: ['/etc/nginx/tls-evil/x.crt'] }) }, /write \/etc\/nginx\/tls-evil\/x\.crt/],
    ['a command not listed', { declared: grant({ exec: [{ argv: ['/bin/sh', '-c', 'id'] }] }) }, /exec \[\/bin\/sh -c id\]/],
    ['a relative program even if spelled the same', { declared: grant({ exec: [{ argv: ['nginx', '-s', 'reload'] }] }) }, /exec \[nginx -s reload\]/],
    ['an unlisted verify endpoint', { extraDials: ['evil.example:443'] }, /dial evil\.example:443/],
    ['tenant B\'s credentials Secret', { secretRefs: ['edge-b-ssh'] }, /credentials Secret edge-b-ssh.*credentialSecrets: \[edge-b-ssh\]/],
    ['host: local without a local item', { host: { local: {} }, secretRefs: [] }, /allows host local \(the operator pod\)/],
  ];
  it.each(denials)('denies %s with PolicyDenied naming the item and the field that could allow it', (_name, over, message) => {
    const r = resolveTargetPolicy(policies, needs(over));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('PolicyDenied');
    expect(r.message).toMatch(message);
  });

  it('selects by label: team-b\'s selector matches a labelled namespace and grants only its host', () => {
    const ns = { name: 'b-prod', labels: { team: 'b' } };
    expect(resolveTargetPolicy(policies, needs({ namespace: ns, host: ssh('edge-b:22', KEY_B, 'edge-b-ssh'), secretRefs: ['edge-b-ssh'], declared: grant({ write: ['/srv/tls/x.crt'] }) })).ok).toBe(true);
    expect(resolveTargetPolicy(policies, needs({ namespace: { name: 'b-prod', labels: { team: 'a' } }, host: ssh('edge-b:22', KEY_B, 'edge-b-ssh'), secretRefs: ['edge-b-ssh'], declared: grant({ write: ['/srv/tls/x.crt'] }) })).ok).toBe(false);
  });

  it('local only through an explicit item, with its own roots and commands', () => {
    const ops = { namespace: { name: 'ops', labels: {} }, host: { local: {} }, secretRefs: [] };
    expect(resolveTargetPolicy(policies, needs({ ...ops, declared: grant({ write: ['/var/lib/certs/a.pem'], exec: [{ argv: ['/bin/systemctl', 'reload', 'app'] }] }) })).ok).toBe(true);
    const shell = resolveTargetPolicy(policies, needs({ ...ops, declared: grant({ write: ['/var/lib/certs/a.pem'], exec: [{ argv: ['/bin/sh', '-c', 'touch /tmp/x'] }] }) }));
    expect(shell).toMatchObject({ ok: false, reason: 'PolicyDenied' });
  });

  it('network-only connectors: dial, credentials and ambient identity come from the namespace\'s policies', () => {
    const cloud = needs({ namespace: { name: 'cloud', labels: {} }, host: undefined, secretRefs: ['aws'], declared: grant({ dial: ['acm.us-east-1.amazonaws.com:443'] }) });
    expect(resolveTargetPolicy(policies, cloud)).toMatchObject({ ok: true, names: ['cloud'], policy: { ambientCloudIdentity: true } });
    expect(resolveTargetPolicy(policies, cloud, { ambientCloudIdentity: false })).toMatchObject({ ok: true, policy: { ambientCloudIdentity: false } });
    expect(resolveTargetPolicy(policies, { ...cloud, declared: grant({ write: ['/tmp/x'] }) })).toMatchObject({ ok: false, reason: 'PolicyDenied' });
  });

  it('the --policy flag bounds every policy: what it leaves out is GrantDenied', () => {
    const r = resolveTargetPolicy(policies, needs({}), { pathRoots: ['/etc/nginx/tls'], commands: [] });
    expect(r).toMatchObject({ ok: false, reason: 'GrantDenied' });
    if (!r.ok) expect(r.message).toMatch(/--policy.*exec \[\/usr\/sbin\/nginx -s reload\]/);
  });

  it('unrestricted: true grants everything, trust on first use included, still bounded by the flag', () => {
    const all = parsePolicies([{ metadata: { name: 'legacy' }, spec: { namespaces: ['team-a'], unrestricted: true } }]);
    expect(resolveTargetPolicy(all, needs({ host: ssh('anything:22', undefined), secretRefs: ['x'] }))).toMatchObject({ ok: true, names: ['legacy'] });
    expect(resolveTargetPolicy(all, needs({}), { hosts: [] })).toMatchObject({ ok: false, reason: 'GrantDenied' });
  });

  it('an invalid policy grants nothing (fails closed)', () => {
    const bad = parsePolicies([{ metadata: { name: 'bad' }, spec: { namespaces: ['team-a'], hosts: [{ local: {}, commands: [['sh', '-c', 'x']] }] } }]);
    expect(bad).toEqual([]);
  });

  it('union over several selecting policies: roots and commands from every matching host entry', () => {
    const two = parsePolicies([
      { metadata: { name: 'p1' }, spec: { namespaces: ['n'], hosts: [{ local: {}, pathRoots: ['/a'] }] } },
      { metadata: { name: 'p2' }, spec: { namespaceSelector: {}, hosts: [{ local: {}, pathRoots: ['/b'] }] } },
    ]);
    const r = resolveTargetPolicy(two, needs({ namespace: { name: 'n', labels: {} }, host: { local: {} }, secretRefs: [], declared: grant({ write: ['/a/x', '/b/y'] }) }));
    expect(r).toMatchObject({ ok: true, names: ['p1', 'p2'] });
  });
});
