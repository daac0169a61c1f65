import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchExecRule } from '../../../packages/connector-sdk/src/sandbox/check/argv-check.ts';
import { isDialAllowed } from '../../../packages/connector-sdk/src/sandbox/check/host-check.ts';
import { isPathWithinAny } from '../../../packages/connector-sdk/src/sandbox/check/path-check.ts';
import { effectiveGrant, intersectExec, intersectHosts, intersectRoots } from '../../../packages/connector-sdk/src/sandbox/effective-grant.ts';
import type { ArgTemplate, ExecRule, Grant } from '../../../packages/connector-sdk/src/sandbox/grant.ts';

describe('intersectRoots', () => {
  it('keeps the deeper of nested roots and drops disjoint ones', () => {
    expect(intersectRoots(['/etc/nginx'], ['/etc/nginx/tls'])).toEqual(['/etc/nginx/tls']);
    expect(intersectRoots(['/etc/nginx/tls/shop.key'], ['/etc/nginx'])).toEqual(['/etc/nginx/tls/shop.key']);
    expect(intersectRoots(['/etc/nginx'], ['/etc/haproxy'])).toEqual([]);
    expect(intersectRoots(['/etc/nginx/certs'], ['/etc/nginx/certs-evil'])).toEqual([]);
  });

  it('normalises, drops relative roots and collapses covered roots', () => {
    expect(intersectRoots(['/etc/nginx/./tls/', 'relative', '/etc/nginx/tls/sub'], undefined)).toEqual(['/etc/nginx/tls']);
    expect(intersectRoots(['/a'], ['relative'])).toEqual([]);
  });
});

describe('intersectHosts', () => {
  it('is an exact intersection in canonical spelling', () => {
    expect(intersectHosts(['Edge-1.internal:443', 'edge-1.internal:22', 'bad'], ['edge-1.internal:443', 'other:443'])).toEqual(['edge-1.internal:443']);
    expect(intersectHosts(['vault.internal:443'], ['vault.internal.attacker.example:443'])).toEqual([]);
    expect(intersectHosts(['[::1]:443'], undefined)).toEqual(['[::1]:443']);
  });
});

describe('intersectExec', () => {
  const reload: ExecRule = { argv: ['/usr/sbin/nginx', '-s', 'reload'] };
  const conf: ExecRule = { argv: ['/usr/sbin/nginx', '-t', '-c', { placeholder: 'conf', kind: 'path' }] };

  it('keeps declared rules that appear in policy commands; {name} matches a placeholder of that name', () => {
    expect(intersectExec([reload, conf], [['/usr/sbin/nginx', '-s', 'reload']])).toEqual([reload]);
    expect(intersectExec([reload, conf], [['/usr/sbin/nginx', '-t', '-c', '{conf}']])).toEqual([conf]);
    expect(intersectExec([conf], [['/usr/sbin/nginx', '-t', '-c', '{other}']])).toEqual([]);
    expect(intersectExec([conf], [['/usr/sbin/nginx', '-t', '-c', '/etc/nginx/nginx.conf']])).toEqual([]);
    expect(intersectExec([{ argv: ['/usr/sbin/nginx', '{conf}'] }], [['/usr/sbin/nginx', '{conf}']])).toEqual([]);
    expect(intersectExec([reload], [['/usr/sbin/nginx', '-s', 'reload', 'extra']])).toEqual([]);
    expect(intersectExec([reload, conf], undefined)).toEqual([reload, conf]);
  });
});

// ---- property: the effective grant only narrows ----

const seg = fc.constantFrom('etc', 'nginx', 'tls', 'certs', 'certs-evil', '..', '.', '', 'haproxy');
const root = fc.array(seg, { maxLength: 4 }).map((s) => `/${s.join('/')}`);
const roots = fc.array(root, { maxLength: 4 });
const host = fc.constantFrom('vault.internal', 'Vault.Internal', 'vault.internal.attacker.example', '[::1]', '[0::1]', '10.0.0.1', 'bad host');
const addr = fc.tuple(host, fc.constantFrom(22, 443, 8443)).map(([h, p]) => `${h}:${p}`);
const word = fc.constantFrom('nginx', '-s', 'reload', '-t', 'x');
const template: fc.Arbitrary<ArgTemplate> = fc.oneof(
  word,
  fc.record({ placeholder: fc.constantFrom('a', 'b'), kind: fc.constantFrom('path' as const, 'token' as const) }),
);
const rule: fc.Arbitrary<ExecRule> = fc.array(template, { minLength: 1, maxLength: 3 }).map((argv) => ({ argv }));
const command = fc.array(fc.oneof(word, fc.constantFrom('{a}', '{b}')), { minLength: 1, maxLength: 3 });
const grant: fc.Arbitrary<Grant> = fc.record({
  read: roots,
  write: roots,
  dial: fc.array(addr, { maxLength: 4 }),
  exec: fc.array(rule, { maxLength: 4 }),
});
const policy = fc.record(
  { pathRoots: roots, hosts: fc.array(addr, { maxLength: 4 }), commands: fc.array(command, { maxLength: 4 }) },
  { requiredKeys: [] },
);
const argvArb = fc.array(fc.oneof(word, fc.constantFrom('/etc/nginx/tls/a', 'tok', '-evil')), { minLength: 1, maxLength: 3 });
const anyPathOk = { isPathAllowed: () => true };

/** What a policy command admits for a concrete argv: literals equal, placeholders anything. */
function policyAdmits(commands: readonly (readonly string[])[] | undefined, argv: readonly string[]): boolean {
  if (commands === undefined) return true;
  return commands.some((c) => c.length === argv.length && c.every((e, i) => /^\{[^{}]+\}$/.test(e) || e === argv[i]));
}

describe('effectiveGrant narrows only', () => {
  it('(a) any path it allows is allowed by the declaration and by the policy', () => {
    fc.assert(
      fc.property(grant, policy, root, (decl, pol, path) => {
        const eff = effectiveGrant(decl, pol);
        for (const k of ['read', 'write'] as const) {
          if (isPathWithinAny(eff[k], path)) {
            expect(isPathWithinAny(decl[k], path)).toBe(true);
            if (pol.pathRoots !== undefined) expect(isPathWithinAny(pol.pathRoots, path)).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('(a) any path allowed by both declaration and policy stays allowed (no over-narrowing)', () => {
    fc.assert(
      fc.property(grant, policy, root, (decl, pol, path) => {
        const eff = effectiveGrant(decl, pol);
        const both = isPathWithinAny(decl.write, path) && (pol.pathRoots === undefined || isPathWithinAny(pol.pathRoots, path));
        expect(isPathWithinAny(eff.write, path)).toBe(both);
      }),
      { numRuns: 2000 },
    );
  });

  it('(a) any address it allows is allowed by both, and intersection is exact', () => {
    fc.assert(
      fc.property(grant, policy, addr, (decl, pol, a) => {
        const eff = effectiveGrant(decl, pol);
        const both = isDialAllowed(decl.dial, a) && (pol.hosts === undefined || isDialAllowed(pol.hosts, a));
        expect(isDialAllowed(eff.dial, a)).toBe(both);
      }),
      { numRuns: 2000 },
    );
  });

  it('(a) any argv it allows is allowed by a declared rule and by a policy command', () => {
    fc.assert(
      fc.property(grant, policy, argvArb, (decl, pol, argv) => {
        const eff = effectiveGrant(decl, pol);
        if (eff.exec.some((r) => matchExecRule(r, argv, anyPathOk))) {
          expect(decl.exec.some((r) => matchExecRule(r, argv, anyPathOk))).toBe(true);
          expect(policyAdmits(pol.commands, argv)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent: applying the same policy twice changes nothing', () => {
    fc.assert(
      fc.property(grant, policy, (decl, pol) => {
        const once = effectiveGrant(decl, pol);
        expect(effectiveGrant(once, pol)).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });
});
