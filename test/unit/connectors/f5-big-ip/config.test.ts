/** The f5BigIp block: schema defaults and refusals, the exact grant, and the registry entry's Secret reference. */
import { describe, expect, it } from 'vitest';
import { f5BigIpConnector } from '../../../../src/connectors/f5-big-ip/index.ts';

const minimal = { address: 'bigip.example.com:443', clientSslProfile: 'web-clientssl', credentialsRef: { name: 'bigip' } };

describe('f5BigIp config', () => {
  it('fills defaults: partition Common, prefix certdeployer, saveConfig on', () => {
    expect(f5BigIpConnector.configSchema.parse(minimal)).toEqual({ ...minimal, partition: 'Common', objectPrefix: 'certdeployer', saveConfig: true });
  });

  it.each([
    ['an address without port', { address: 'bigip.example.com' }],
    ['a port over 65535', { address: 'bigip:70000' }],
    ['a profile path instead of a name', { clientSslProfile: '/Common/web' }],
    ['a partition with a slash', { partition: 'a/b' }],
    ['an empty prefix', { objectPrefix: '' }],
    ['a caBundle that is not PEM', { caBundle: 'trust me' }],
  ])('refuses %s', (_what, change) => {
    expect(f5BigIpConnector.configSchema.safeParse({ ...minimal, ...change }).success).toBe(false);
  });

  it('declares exactly one dial address and nothing else; the Secret is referenced', () => {
    const config = f5BigIpConnector.configSchema.parse({ ...minimal, address: '[::1]:8443' });
    expect(f5BigIpConnector.create(config).capabilities()).toEqual({ read: [], write: [], dial: ['[::1]:8443'], exec: [] });
    expect(f5BigIpConnector.secretRefs?.(config)).toEqual(['bigip']);
    expect(f5BigIpConnector.hostOf).toBeUndefined();
  });
});
