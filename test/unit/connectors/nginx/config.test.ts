/**
 * The `nginx` block: defaults a packaged nginx answers to, refusals with a useful message, and
 * the grant built from it — exactly the two files and the two argv, nothing else.
 */
import { describe, expect, it } from 'vitest';
import { nginxConnector, NGINX_DEFAULT_CONFIG_TEST, NGINX_DEFAULT_RELOAD } from '../../../../src/connectors/nginx/index.ts';

const base = { certificatePath: '/etc/nginx/tls/site.crt', privateKeyPath: '/etc/nginx/tls/site.key' };
const parse = (block: unknown) => nginxConnector.configSchema.safeParse(block);
const issues = (block: unknown): string[] => {
  const r = parse(block);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('nginx block', () => {
  it('defaults: local host, nginx -t, nginx -s reload, 0644/0600, 30 s', () => {
    const r = parse(base);
    expect(r.success).toBe(true);
    expect(r.data).toEqual({
      ...base,
      host: { local: {} },
      certificateMode: '0644',
      layout: 'InPlace',
      privateKeyMode: '0600',
      configTest: ['/usr/sbin/nginx', '-t'],
      reload: ['/usr/sbin/nginx', '-s', 'reload'],
      commandTimeoutSeconds: 30,
    });
    expect([...NGINX_DEFAULT_CONFIG_TEST]).toEqual(['/usr/sbin/nginx', '-t']);
    expect([...NGINX_DEFAULT_RELOAD]).toEqual(['/usr/sbin/nginx', '-s', 'reload']);
  });

  it.each([
    ['a relative certificate path', { ...base, certificatePath: 'site.crt' }, /certificatePath: must be an absolute path/],
    ['the same path for certificate and key', { ...base, privateKeyPath: base.certificatePath }, /privateKeyPath: certificatePath and privateKeyPath must differ/],
    ['an empty reload argv', { ...base, reload: [] }, /reload: /],
    ['a reload given as one string', { ...base, reload: 'nginx -s reload' }, /reload: /],
    ['a program that is not an absolute path', { ...base, reload: ['nginx', '-s', 'reload'] }, /reload: argv\[0\] must be the absolute path/],
    ['a timeout of 0', { ...base, commandTimeoutSeconds: 0 }, /commandTimeoutSeconds: /],
    ['a non-octal key mode', { ...base, privateKeyMode: '0680' }, /privateKeyMode: /],
    ['no key path', { certificatePath: base.certificatePath }, /privateKeyPath: /],
  ])('refuses %s', (_what, block, message) => {
    expect(issues(block).join('\n')).toMatch(message);
  });

  it('the grant is exactly the two files and the two commands', () => {
    const c = nginxConnector.create(nginxConnector.configSchema.parse({ ...base, configTest: ['/usr/sbin/nginx', '-t', '-c', '/etc/nginx/x.conf'] }));
    expect(c.capabilities()).toEqual({
      read: [],
      write: [base.certificatePath, base.privateKeyPath],
      dial: [],
      exec: [{ argv: ['/usr/sbin/nginx', '-t', '-c', '/etc/nginx/x.conf'] }, { argv: ['/usr/sbin/nginx', '-s', 'reload'] }],
    });
    expect(Object.isFrozen(c.capabilities())).toBe(true);
    expect(c.capabilities()).toBe(c.capabilities());
  });

  it('one exec rule when the config test and the reload are the same argv', () => {
    const c = nginxConnector.create(nginxConnector.configSchema.parse({ ...base, configTest: ['/usr/local/bin/nginx-apply'], reload: ['/usr/local/bin/nginx-apply'] }));
    expect(c.capabilities().exec).toEqual([{ argv: ['/usr/local/bin/nginx-apply'] }]);
  });

  it('the CRD rule and the zod rule agree on distinct paths', () => {
    const meta = (nginxConnector.configSchema as unknown as { meta(): Record<string, unknown> }).meta();
    expect(meta['x-kubernetes-validations']).toEqual([{ rule: 'self.certificatePath != self.privateKeyPath', message: 'certificatePath and privateKeyPath must differ' }]);
  });
});
