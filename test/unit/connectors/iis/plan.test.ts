/**
 * The planner's rules, without a host: what counts as "already deployed", which bindings are
 * updated or created, which certificates may be removed (only this target's, only unused),
 * and the configurations that cannot work (missing site, no https binding, CCS bindings).
 */
import { describe, expect, it } from 'vitest';
import { iisConfig } from '../../../../src/connectors/iis/config.ts';
import { bindingInformationOf, hostState, isNoop, ownerTag, planDeploy, PlanError, unusedOwned, type HostState } from '../../../../src/connectors/iis/plan.ts';

const T = (c: string): string => c.repeat(40);
const TAG = ownerTag('uid-1/web');
const config = (extra: Record<string, unknown> = {}) => iisConfig.parse({ address: 'win:5986', credentialsRef: { name: 'c' }, siteName: 'Shop', ...extra });

function state(partial: Partial<{ sites: string[]; bindings: unknown[]; certificates: unknown[] }>): HostState {
  return hostState.parse({ sites: ['Shop', 'Other'], bindings: [], certificates: [], ...partial });
}
const binding = (site: string, info: string, hash: string | null, sslFlags = 0) => ({ site, bindingInformation: info, certificateHash: hash, sslFlags });
const cert = (thumbprint: string, friendlyName: string | null = TAG, hasPrivateKey = true) => ({ thumbprint, friendlyName, hasPrivateKey });

describe('planDeploy', () => {
  it('is a no-op when every https binding of the site holds the thumbprint (case-insensitively) and the key is stored', () => {
    const s = state({ bindings: [binding('shop', '*:443:', T('a').toLowerCase()), binding('Shop', '*:8443:', T('A'))], certificates: [cert(T('A'))] });
    const plan = planDeploy(s, config(), T('A'), TAG);
    expect(plan).toMatchObject({ site: 'Shop', importNeeded: false, ops: [], removals: [] });
    expect(isNoop(plan)).toBe(true);
  });

  it('re-imports a certificate stored without its key, and imports a missing one', () => {
    const bindings = [binding('Shop', '*:443:', T('A'))];
    expect(planDeploy(state({ bindings, certificates: [cert(T('A'), TAG, false)] }), config(), T('A'), TAG)).toMatchObject({ importNeeded: true, storeHadCertificate: true });
    expect(planDeploy(state({ bindings }), config(), T('A'), TAG)).toMatchObject({ importNeeded: true, storeHadCertificate: false });
  });

  it('updates only differing bindings of the site, remembering what they held', () => {
    const s = state({ bindings: [binding('Shop', '*:443:', T('B')), binding('Shop', '*:8443:', T('A')), binding('Other', '*:443:', T('B'))], certificates: [cert(T('A')), cert(T('B'))] });
    expect(planDeploy(s, config(), T('A'), TAG).ops).toEqual([{ kind: 'update', bindingInformation: '*:443:', previous: T('B') }]);
  });

  it('with configured bindings: creates missing ones (SNI when named), updates existing, ignores the rest and duplicates', () => {
    const s = state({ bindings: [binding('Shop', '*:443:', ''), binding('Shop', '10.0.0.1:443:', T('B'))] });
    const plan = planDeploy(s, config({ bindings: [{}, { hostHeader: 'Shop.Example.test', port: 8443 }, { port: 443 }] }), T('A'), TAG);
    expect(plan.ops).toEqual([
      { kind: 'update', bindingInformation: '*:443:', previous: '' },
      { kind: 'create', bindingInformation: '*:8443:Shop.Example.test', binding: { ipAddress: '*', port: 8443, hostHeader: 'Shop.Example.test', sslFlags: 1, bindingInformation: '*:8443:Shop.Example.test' } },
    ]);
  });

  it('removes only its own certificates that no binding of any site will use', () => {
    const s = state({
      bindings: [binding('Shop', '*:443:', T('B')), binding('Other', '*:443:', T('C'))],
      certificates: [cert(T('A')), cert(T('B')), cert(T('C')), cert(T('D')), cert(T('E'), 'someone else'), cert(T('F'), null)],
    });
    expect(planDeploy(s, config(), T('A'), TAG).removals).toEqual([T('B'), T('D')]);
    expect(planDeploy(s, config({ removeOldCertificate: false }), T('A'), TAG).removals).toEqual([]);
  });

  it('a leftover of its own makes an otherwise complete deploy not a no-op (cleanup converges)', () => {
    const s = state({ bindings: [binding('Shop', '*:443:', T('A'))], certificates: [cert(T('A')), cert(T('B'))] });
    const plan = planDeploy(s, config(), T('A'), TAG);
    expect([plan.ops, plan.removals, isNoop(plan)]).toEqual([[], [T('B')], false]);
  });

  it.each([
    ['a missing site', state({ sites: ['Other'] }), config(), /no site named "Shop"/],
    ['a site without https bindings', state({}), config(), /no https binding/],
    ['a CCS binding', state({ bindings: [binding('Shop', '*:443:', '', 2)] }), config(), /Centralized Certificate Store/],
  ])('refuses %s with a PlanError', (_what, s, c, pattern) => {
    expect(() => planDeploy(s, c, T('A'), TAG)).toThrow(PlanError);
    expect(() => planDeploy(s, c, T('A'), TAG)).toThrow(pattern);
  });

  it('reads the query output strictly: thumbprints must be 40 hex characters', () => {
    expect(hostState.safeParse({ sites: [], bindings: [], certificates: [cert('not-a-thumbprint')] }).success).toBe(false);
    expect(hostState.safeParse({ sites: [], bindings: [] }).success).toBe(false);
  });
});

describe('helpers', () => {
  it('bindingInformationOf spells bindings as IIS stores them', () => {
    expect(bindingInformationOf({ ipAddress: '*', port: 443 })).toBe('*:443:');
    expect(bindingInformationOf({ ipAddress: '10.0.0.1', port: 8443, hostHeader: 'a.example' })).toBe('10.0.0.1:8443:a.example');
  });

  it('ownerTag is printable ASCII and at most 256 characters', () => {
    expect(ownerTag('uid/name')).toBe('cert-deployer uid/name');
    const tag = ownerTag(`${'x'.repeat(300)}\u2028\u{1F512}`);
    expect(tag.length).toBe(256);
    expect(tag).toMatch(/^[\x20-\x7e]+$/);
  });

  it('unusedOwned with nothing rebound lists every unbound certificate of the owner (undeploy)', () => {
    const s = state({ bindings: [binding('Shop', '*:443:', T('A'))], certificates: [cert(T('A')), cert(T('B')), cert(T('C'), 'x')] });
    expect(unusedOwned(s, TAG, '', '', new Map())).toEqual([T('B')]);
  });
});

describe('iisConfig', () => {
  it('applies defaults', () => {
    expect(config({ bindings: [{}] })).toMatchObject({ removeOldCertificate: true, pfxEncryption: 'aes256', bindings: [{ port: 443, ipAddress: '*' }] });
  });

  it.each([
    ['an address without a port', { address: 'win.example.test' }],
    ['a URL as address', { address: 'https://win:5986/wsman' }],
    ['control characters in the site name', { siteName: 'a\nb' }],
    ['an empty site name', { siteName: '' }],
    ['an IPv6 binding address', { bindings: [{ ipAddress: '::1' }] }],
    ['a host header with spaces', { bindings: [{ hostHeader: 'a b' }] }],
    ['port 0', { bindings: [{ port: 0 }] }],
    ['a caBundle that is not PEM', { caBundle: 'hello' }],
    ['an unknown encryption', { pfxEncryption: 'rc2' }],
  ])('refuses %s', (_what, extra) => {
    expect(iisConfig.safeParse({ address: 'win:5986', credentialsRef: { name: 'c' }, siteName: 'Shop', ...extra }).success).toBe(false);
  });

  it('accepts hostile but printable site names (they are quoted, not filtered)', () => {
    expect(config({ siteName: "x’; $(Stop-Computer) '" }).siteName).toBe("x’; $(Stop-Computer) '");
  });
});
