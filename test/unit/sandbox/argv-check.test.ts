import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findExecRule, isTokenAllowed, matchExecRule, pathCandidates } from '../../../packages/connector-sdk/src/sandbox/check/argv-check.ts';
import type { ExecRule } from '../../../packages/connector-sdk/src/sandbox/grant.ts';

const allowNone = { isPathAllowed: () => false };
const allowCerts = { isPathAllowed: (p: string) => p.startsWith('/etc/nginx/tls/') };

describe('matchExecRule', () => {
  const reload: ExecRule = { argv: ['/usr/sbin/nginx', '-s', 'reload'] };
  const test: ExecRule = { argv: ['/usr/sbin/nginx', '-t', '-c', { placeholder: 'conf', kind: 'path' }] };
  const svc: ExecRule = { argv: ['/usr/bin/systemctl', 'reload', { placeholder: 'unit', kind: 'token' }] };

  it('admits the exact argv', () => {
    expect(matchExecRule(reload, ['/usr/sbin/nginx', '-s', 'reload'], allowNone)).toBe(true);
  });

  it('refuses an extra argument, a missing one, another program or changed literal', () => {
    expect(matchExecRule(reload, ['/usr/sbin/nginx', '-s', 'reload', '-c', '/tmp/evil.conf'], allowNone)).toBe(false);
    expect(matchExecRule(reload, ['/usr/sbin/nginx', '-s'], allowNone)).toBe(false);
    expect(matchExecRule(reload, ['/bin/sh', '-s', 'reload'], allowNone)).toBe(false);
    expect(matchExecRule(reload, ['/usr/sbin/nginx', '-s', 'stop'], allowNone)).toBe(false);
    expect(matchExecRule(reload, ['/usr/sbin/nginx', '-s', 'reload\0'], allowNone)).toBe(false);
  });

  it('path placeholders need a normal absolute path the context admits', () => {
    expect(matchExecRule(test, ['/usr/sbin/nginx', '-t', '-c', '/etc/nginx/tls/a.conf'], allowCerts)).toBe(true);
    expect(matchExecRule(test, ['/usr/sbin/nginx', '-t', '-c', '/etc/shadow'], allowCerts)).toBe(false);
    expect(matchExecRule(test, ['/usr/sbin/nginx', '-t', '-c', '/etc/nginx/tls/../../shadow'], allowCerts)).toBe(false);
    expect(matchExecRule(test, ['/usr/sbin/nginx', '-t', '-c', '/etc/nginx/tls//a.conf'], allowCerts)).toBe(false);
    expect(matchExecRule(test, ['/usr/sbin/nginx', '-t', '-c', 'a.conf'], { isPathAllowed: () => true })).toBe(false);
  });

  it('token placeholders refuse options, spaces, globs and shell syntax', () => {
    expect(matchExecRule(svc, ['/usr/bin/systemctl', 'reload', 'nginx.service'], allowNone)).toBe(true);
    for (const bad of ['--now', '-x', 'nginx service', 'ngi*', 'a;b', '$(id)', '`id`', '', 'a\nb']) {
      expect(matchExecRule(svc, ['/usr/bin/systemctl', 'reload', bad], allowNone), bad).toBe(false);
    }
  });

  it('custom token patterns are anchored', () => {
    const rule: ExecRule = { argv: ['/x', { placeholder: 'n', kind: 'token', pattern: '[0-9]+' }] };
    expect(matchExecRule(rule, ['/x', '42'], allowNone)).toBe(true);
    expect(matchExecRule(rule, ['/x', '42; rm -rf /'], allowNone)).toBe(false);
    expect(matchExecRule(rule, ['/x', 'a42'], allowNone)).toBe(false);
    const invalid: ExecRule = { argv: ['/x', { placeholder: 'n', kind: 'token', pattern: '([' }] };
    expect(matchExecRule(invalid, ['/x', 'a'], allowNone)).toBe(false);
  });

  it('a rule whose program is a placeholder or empty never matches', () => {
    expect(matchExecRule({ argv: [{ placeholder: 'p', kind: 'token' }] }, ['/usr/sbin/nginx'], allowNone)).toBe(false);
    expect(matchExecRule({ argv: [] }, [], allowNone)).toBe(false);
    expect(matchExecRule({ argv: [''] }, [''], allowNone)).toBe(false);
  });

  it('findExecRule and pathCandidates pick only rules whose literals fit', () => {
    expect(findExecRule([reload, test], ['/usr/sbin/nginx', '-s', 'reload'], allowNone)).toBe(reload);
    expect(pathCandidates([reload, test], ['/usr/sbin/nginx', '-t', '-c', '/etc/nginx/tls/a.conf'])).toEqual(['/etc/nginx/tls/a.conf']);
    expect(pathCandidates([test], ['/usr/sbin/nginx', '-T', '-c', '/etc/nginx/tls/a.conf'])).toEqual([]);
  });
});

const word = fc.stringMatching(/^[a-z-]{1,6}$/);

describe('absolute programs', () => {
  it('a rule whose program is not a normal absolute path admits nothing', () => {
    for (const program of ['nginx', './nginx', 'bin/nginx', '/usr/sbin/../sbin/nginx', '/usr//sbin/nginx', '/']) {
      expect(matchExecRule({ argv: [program, '-t'] }, [program, '-t'], allowNone)).toBe(false);
    }
    expect(matchExecRule({ argv: ['/usr/sbin/nginx', '-t'] }, ['/usr/sbin/nginx', '-t'], allowNone)).toBe(true);
  });
});

describe('matchExecRule properties', () => {
  it('an all-literal rule admits exactly its own argv', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), fc.array(word, { minLength: 0, maxLength: 6 }), (ruleWords, argvWords) => {
        // Programs are absolute paths (a bare name is never a valid rule); the rest is free.
        const rule = [`/bin/${ruleWords[0] as string}`, ...ruleWords.slice(1)];
        const argv = argvWords.length === 0 ? [] : [`/bin/${argvWords[0] as string}`, ...argvWords.slice(1)];
        const same = rule.length === argv.length && rule.every((w, i) => argv[i] === w);
        expect(matchExecRule({ argv: rule }, argv, { isPathAllowed: () => true })).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('appending or prepending any argument to a granted argv is refused', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), fc.string(), fc.boolean(), (rule, extra, atEnd) => {
        const argv = atEnd ? [...rule, extra] : [extra, ...rule];
        expect(matchExecRule({ argv: rule }, argv, { isPathAllowed: () => true })).toBe(false);
      }),
    );
  });

  it('a default token never starts with - and never contains whitespace or shell metacharacters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        if (isTokenAllowed(s)) {
          expect(s.startsWith('-')).toBe(false);
          expect(/[\s;&|`$(){}*?<>'"\\!~#]/.test(s)).toBe(false);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
