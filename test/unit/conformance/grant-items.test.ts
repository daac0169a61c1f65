/** The pure grant arithmetic behind grant honesty and the capabilities-shape case. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grantFormProblems, grantItems, isShellRule, withoutItem } from '../../../packages/connector-sdk/src/conformance/grant-items.ts';
import type { Grant } from '../../../packages/connector-sdk/src/sandbox/grant.ts';

const grant: Grant = {
  read: ['/etc/ssl/ca.pem'],
  write: ['/etc/nginx/tls/a.crt', '/etc/nginx/tls/a.key'],
  dial: ['unix:/run/haproxy.sock', '127.0.0.1:8443'],
  exec: [{ argv: ['/usr/sbin/nginx', '-t'] }, { argv: ['/usr/sbin/nginx', '-s', 'reload'] }],
};

describe('grantItems / withoutItem', () => {
  it('lists every item once with a readable label', () => {
    expect(grantItems(grant).map((i) => i.label)).toEqual([
      'read /etc/ssl/ca.pem',
      'write /etc/nginx/tls/a.crt',
      'write /etc/nginx/tls/a.key',
      'dial unix:/run/haproxy.sock',
      'dial 127.0.0.1:8443',
      'exec ["/usr/sbin/nginx","-t"]',
      'exec ["/usr/sbin/nginx","-s","reload"]',
    ]);
  });

  it('removes exactly the named item and nothing else (property)', () => {
    const path = fc.stringMatching(/^\/[a-z]{1,6}(\/[a-z]{1,6}){0,2}$/);
    const arb = fc.record({
      read: fc.uniqueArray(path, { maxLength: 3 }),
      write: fc.uniqueArray(path, { maxLength: 3 }),
      dial: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }).map((p) => `127.0.0.1:${p}`), { maxLength: 3 }),
      exec: fc.array(fc.array(fc.stringMatching(/^[a-z-]{1,5}$/), { minLength: 1, maxLength: 3 }).map((argv) => ({ argv })), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(arb, (g) => {
        for (const item of grantItems(g)) {
          const reduced = withoutItem(g, item);
          const total = (x: Grant) => x.read.length + x.write.length + x.dial.length + x.exec.length;
          expect(total(reduced)).toBe(total(g) - 1);
          expect(reduced[item.kind]).not.toContain(g[item.kind][item.index]);
        }
      }),
    );
  });
});

describe('isShellRule', () => {
  it.each([
    [['/bin/sh', '-c', 'nginx -s reload'], true],
    [['/bin/bash', '-c', 'x'], true],
    [['bash', '-ec', 'x'], true],
    [['env', 'sh', '-c', 'x'], true],
    [['sudo', '/usr/bin/dash', '-lc', 'x'], true],
    [['busybox', 'sh', '-c', 'x'], true],
    [['/usr/sbin/nginx', '-s', 'reload'], false],
    [['/usr/local/bin/reload-web'], false],
    [['sh', '/opt/reload.sh'], false],
    [['/usr/bin/systemctl', 'reload', 'bash-completion'], false],
  ])('%j → %s', (argv, shell) => {
    expect(isShellRule({ argv })).toBe(shell);
  });

  it('grantFormProblems names shells, relative roots and placeholder programs', () => {
    expect(grantFormProblems(grant)).toEqual([]);
    expect(
      grantFormProblems({ read: ['etc/x'], write: [], dial: [], exec: [{ argv: [{ placeholder: 'p', kind: 'path' }] }, { argv: ['/bin/sh', '-c', 'x'] }] }),
    ).toEqual([
      'path root "etc/x" is not absolute',
      'exec rule [{"placeholder":"p","kind":"path"}] has no literal program',
      'exec rule ["/bin/sh","-c","x"] runs a shell on a command string',
    ]);
  });
});
