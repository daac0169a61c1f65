/**
 * The `haproxy` block: exactly one loading mode (zod and the CRD's CEL rule), safe defaults,
 * CLI-safe paths, and the exact grant each mode declares.
 */
import { describe, expect, it } from 'vitest';
import { haproxyConfig, haproxyConnector, haproxyGrant } from '../../../../src/connectors/haproxy/index.ts';
import { toStructuralSchema } from '../../../../src/crds/openapi.ts';

const base = { certificatePath: '/etc/haproxy/certs/site.pem' };

describe('haproxy config', () => {
  it('defaults: local host, mode 0600, root left out, Debian socket path', () => {
    const c = haproxyConfig.parse({ ...base, runtimeApi: {} });
    expect(c).toMatchObject({ host: { local: {} }, mode: '0600', includeRoot: false, runtimeApi: { socketPath: '/run/haproxy/admin.sock', timeoutSeconds: 10 } });
    expect(c.reload).toBeUndefined();
  });

  it('reload mode defaults to haproxy -c on Debian\'s config and systemctl reload haproxy', () => {
    const c = haproxyConfig.parse({ ...base, reload: {} });
    expect(c.reload).toEqual({ configTest: ['/usr/sbin/haproxy', '-c', '-f', '/etc/haproxy/haproxy.cfg'], reload: ['/usr/bin/systemctl', 'reload', 'haproxy'], timeoutSeconds: 30 });
  });

  it('refuses both modes, and neither', () => {
    expect(haproxyConfig.safeParse({ ...base, runtimeApi: {}, reload: {} }).error?.issues[0]?.message).toMatch(/exactly one of runtimeApi or reload/);
    expect(haproxyConfig.safeParse({ ...base }).error?.issues[0]?.message).toMatch(/exactly one of runtimeApi or reload/);
  });

  it('refuses paths the HAProxy CLI would split or misread', () => {
    for (const bad of ['relative/site.pem', '/etc/haproxy/my site.pem', '/etc/haproxy/a;b.pem', '/etc/haproxy/a\\b.pem', '/x#y', '/']) {
      expect(haproxyConfig.safeParse({ certificatePath: bad, runtimeApi: {} }).success, bad).toBe(false);
      expect(haproxyConfig.safeParse({ ...base, runtimeApi: { socketPath: bad } }).success, `socket ${bad}`).toBe(false);
    }
  });

  it('the CRD block carries the exactly-one CEL rule and is structural', () => {
    const schema = toStructuralSchema(haproxyConnector.configSchema);
    expect(schema['x-kubernetes-validations']).toEqual([{ rule: '[has(self.runtimeApi), has(self.reload)].exists_one(x, x)', message: 'exactly one of runtimeApi or reload must be set' }]);
    expect(schema.required).toEqual(['certificatePath']);
  });
});

describe('haproxy grant', () => {
  it('runtime API: the file and the socket, nothing else', () => {
    const g = haproxyGrant(haproxyConfig.parse({ ...base, runtimeApi: { socketPath: '/run/haproxy/admin.sock' } }));
    expect(g).toEqual({ read: [], write: ['/etc/haproxy/certs/site.pem'], dial: ['unix:/run/haproxy/admin.sock'], exec: [] });
  });

  it('reload: the file and the two exact argv, no socket', () => {
    const g = haproxyGrant(haproxyConfig.parse({ ...base, reload: { reload: ['/usr/sbin/service', 'haproxy', 'reload'] } }));
    expect(g).toEqual({
      read: [],
      write: ['/etc/haproxy/certs/site.pem'],
      dial: [],
      exec: [{ argv: ['/usr/sbin/haproxy', '-c', '-f', '/etc/haproxy/haproxy.cfg'] }, { argv: ['/usr/sbin/service', 'haproxy', 'reload'] }],
    });
  });

  it('capabilities() is the grant and stays the same object', () => {
    const c = haproxyConnector.create(haproxyConfig.parse({ ...base, runtimeApi: {} }));
    expect(c.capabilities()).toBe(c.capabilities());
    expect(Object.isFrozen(c.capabilities())).toBe(true);
  });
});
