/** The grant a plugin target declares, computed from the manifest template and the config (pure). */
import { describe, expect, it } from 'vitest';
import { atPointer, grantFromTemplate, pluginManifest } from '../../../src/sandbox/wasm/index.ts';

const template = pluginManifest.shape.grant.parse({
  read: ['/etc/ssl/ca.pem'],
  write: [{ config: '/certificatePath' }, { config: '/privateKeyPath' }, { config: '/extraDirs' }],
  dial: [{ config: '/api' }],
  exec: [{ argv: [{ config: '/reload' }] }, { argv: ['/usr/bin/test', { config: '/configTest' }] }],
});

describe('grantFromTemplate', () => {
  it('substitutes strings, splices arrays and drops what an omitted field names', () => {
    const g = grantFromTemplate(template, { certificatePath: '/c/cert.pem', privateKeyPath: '/c/key.pem', reload: ['/usr/sbin/nginx', '-s', 'reload'], api: 'api.example.com:443' });
    expect(g).toEqual({
      read: ['/etc/ssl/ca.pem'],
      write: ['/c/cert.pem', '/c/key.pem'],
      dial: ['api.example.com:443'],
      exec: [{ argv: ['/usr/sbin/nginx', '-s', 'reload'] }],
    });
  });

  it('a pointer at a non-string value grants nothing for it', () => {
    expect(grantFromTemplate(template, { certificatePath: 42, extraDirs: ['/x', 1] }).write).toEqual([]);
  });

  it('follows RFC 6901 escapes and refuses inherited keys', () => {
    expect(atPointer({ 'a/b': { '~c': 1 } }, '/a~1b/~0c')).toBe(1);
    expect(atPointer({}, '/constructor')).toBeUndefined();
  });
});
