import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressRejection, canonicalDialAddress, isDialAllowed, parseDialAddress, sniName } from '../../../packages/connector-sdk/src/sandbox/check/host-check.ts';

describe('parseDialAddress', () => {
  it.each([
    ['vault.internal:443', 'vault.internal:443'],
    ['VAULT.Internal:443', 'vault.internal:443'],
    ['10.0.0.1:8443', '10.0.0.1:8443'],
    ['[::1]:443', '[::1]:443'],
    ['[0:0:0:0:0:0:0:1]:443', '[::1]:443'],
    ['[2001:DB8::1]:22', '[2001:db8::1]:22'],
    ['unix:/run/haproxy/admin.sock', 'unix:/run/haproxy/admin.sock'],
    ['unix:/run//haproxy/./admin.sock', 'unix:/run/haproxy/admin.sock'],
    ['host:65535', 'host:65535'],
    ['_acme.internal:53', '_acme.internal:53'],
  ])('%s → %s', (input, canonical) => {
    expect(canonicalDialAddress(input)).toBe(canonical);
  });

  it.each([
    ['vault.internal', AddressRejection.MissingPort],
    ['vault.internal:', AddressRejection.BadPort],
    ['vault.internal:0', AddressRejection.BadPort],
    ['vault.internal:65536', AddressRejection.BadPort],
    ['vault.internal:0443', AddressRejection.BadPort],
    ['vault.internal:+443', AddressRejection.BadPort],
    ['vault.internal:44 3', AddressRejection.BadPort],
    ['user@vault.internal:443', AddressRejection.Userinfo],
    ['user:pw@vault.internal:443', AddressRejection.Userinfo],
    ['https://vault.internal:443', AddressRejection.Url],
    ['::1:443', AddressRejection.BadHost],
    ['[::1]443', AddressRejection.MissingPort],
    ['[fe80::1%eth0]:443', AddressRejection.BadHost],
    ['[vault.internal]:443', AddressRejection.BadHost],
    ['127.1:80', AddressRejection.BadHost],
    ['0x7f.0.0.1:80', AddressRejection.BadHost],
    ['vault internal:443', AddressRejection.BadHost],
    ['*.internal:443', AddressRejection.BadHost],
    ['-x.internal:443', AddressRejection.BadHost],
    ['unix:relative.sock', AddressRejection.BadUnix],
    ['unix:/', AddressRejection.BadUnix],
    ['unix:/run/x\0', AddressRejection.BadUnix],
  ])('refuses %j', (input, reason) => {
    expect(parseDialAddress(input)).toEqual({ ok: false, reason });
  });
});

describe('isDialAllowed', () => {
  const grant = ['vault.internal:443', '[::1]:8443', 'unix:/run/haproxy/admin.sock'];

  it('admits exact endpoints, case-insensitively and in any IPv6 spelling', () => {
    expect(isDialAllowed(grant, 'vault.internal:443')).toBe(true);
    expect(isDialAllowed(grant, 'Vault.INTERNAL:443')).toBe(true);
    expect(isDialAllowed(grant, '[0::1]:8443')).toBe(true);
    expect(isDialAllowed(grant, 'unix:/run/haproxy/./admin.sock')).toBe(true);
  });

  it('refuses the suffix trick, other ports, subdomains and the FQDN dot', () => {
    expect(isDialAllowed(grant, 'vault.internal.attacker.example:443')).toBe(false);
    expect(isDialAllowed(grant, 'evil-vault.internal:443')).toBe(false);
    expect(isDialAllowed(grant, 'a.vault.internal:443')).toBe(false);
    expect(isDialAllowed(grant, 'vault.internal:8443')).toBe(false);
    expect(isDialAllowed(grant, 'vault.internal.:443')).toBe(false);
    expect(isDialAllowed(grant, '[::1]:443')).toBe(false);
    expect(isDialAllowed(grant, 'unix:/run/haproxy/admin.sock2')).toBe(false);
    expect(isDialAllowed(grant, 'unix:/run/haproxy')).toBe(false);
  });

  it('never matches through malformed grant entries', () => {
    expect(isDialAllowed(['vault.internal'], 'vault.internal:443')).toBe(false);
    expect(isDialAllowed(['*:443'], 'vault.internal:443')).toBe(false);
  });
});

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/).filter((l) => !/^[0-9]+$/.test(l));
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const port = fc.integer({ min: 1, max: 65535 });

describe('isDialAllowed properties', () => {
  it('a name grant never admits a longer name that extends it', () => {
    fc.assert(
      fc.property(name, name, port, fc.constantFrom('.', '-', ''), (granted, extra, p, glue) => {
        const grant = [`${granted}:${p}`];
        expect(isDialAllowed(grant, `${granted}${glue}${extra}:${p}`)).toBe(false);
        expect(isDialAllowed(grant, `${extra}${glue === '' ? '.' : glue}${granted}:${p}`)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('admission is exactly equality of canonical forms, whatever the case', () => {
    fc.assert(
      fc.property(name, port, name, port, fc.boolean(), (h1, p1, h2, p2, upper) => {
        const asked = `${upper ? h2.toUpperCase() : h2}:${p2}`;
        expect(isDialAllowed([`${h1}:${p1}`], asked)).toBe(h1 === h2 && p1 === p2);
      }),
      { numRuns: 1000 },
    );
  });

  it('any string with userinfo, a scheme or an out-of-range port is refused', () => {
    fc.assert(
      fc.property(name, fc.oneof(fc.integer({ min: 65536, max: 999999 }), fc.constant(0)), (h, bad) => {
        expect(parseDialAddress(`${h}:${bad}`).ok).toBe(false);
        expect(parseDialAddress(`u@${h}:443`).ok).toBe(false);
        expect(parseDialAddress(`https://${h}:443`).ok).toBe(false);
      }),
    );
  });
});

describe('sniName', () => {
  const tcp = (host: string) => ({ kind: 'tcp' as const, host, port: 443 });
  it('uses the host name, strips the FQDN dot, omits IPs and validates explicit names', () => {
    expect(sniName(undefined, tcp('shop.example.com'))).toBe('shop.example.com');
    expect(sniName(undefined, tcp('shop.example.com.'))).toBe('shop.example.com');
    expect(sniName(undefined, tcp('127.0.0.1'))).toBeUndefined();
    expect(sniName(undefined, tcp('[::1]'))).toBeUndefined();
    expect(sniName('Shop.Example.com', tcp('127.0.0.1'))).toBe('shop.example.com');
    expect(sniName('10.0.0.1', tcp('127.0.0.1'))).toBeNull();
    expect(sniName('bad name', tcp('127.0.0.1'))).toBeNull();
  });
});
