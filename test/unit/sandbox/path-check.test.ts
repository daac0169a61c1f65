import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPathWithin, normalizeAbsolutePath, PathRejection } from '../../../packages/connector-sdk/src/sandbox/check/path-check.ts';

describe('normalizeAbsolutePath', () => {
  it.each([
    ['/etc/nginx/certs', '/etc/nginx/certs'],
    ['/etc//nginx///certs/', '/etc/nginx/certs'],
    ['/etc/./nginx/.', '/etc/nginx'],
    ['/etc/nginx/certs/../../shadow', '/etc/shadow'],
    ['/../../etc', '/etc'],
    ['/', '/'],
    ['//', '/'],
    ['/a/b/..', '/a'],
    ['/a/...', '/a/...'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeAbsolutePath(input)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ['etc/nginx', PathRejection.Relative],
    ['./x', PathRejection.Relative],
    ['', PathRejection.Empty],
    ['/etc/nginx\0/x', PathRejection.Nul],
    [42, PathRejection.NotString],
  ])('refuses %j', (input, reason) => {
    expect(normalizeAbsolutePath(input)).toEqual({ ok: false, reason });
  });
});

describe('isPathWithin', () => {
  const root = '/etc/nginx/certs';

  it('admits the root and paths below it', () => {
    expect(isPathWithin(root, '/etc/nginx/certs')).toBe(true);
    expect(isPathWithin(root, '/etc/nginx/certs/')).toBe(true);
    expect(isPathWithin(root, '/etc/nginx/certs/shop.key')).toBe(true);
    expect(isPathWithin(root, '/etc/nginx/certs/a/b/../c')).toBe(true);
    expect(isPathWithin('/etc/nginx/certs/', '/etc/nginx/certs/x')).toBe(true);
  });

  it('refuses the prefix trick at a non-separator boundary', () => {
    expect(isPathWithin(root, '/etc/nginx/certs-evil')).toBe(false);
    expect(isPathWithin(root, '/etc/nginx/certs-evil/shop.key')).toBe(false);
    expect(isPathWithin(root, '/etc/nginx/certsX')).toBe(false);
  });

  it('refuses .. traversal out of the root', () => {
    expect(isPathWithin(root, '/etc/nginx/certs/../nginx.conf')).toBe(false);
    expect(isPathWithin(root, '/etc/nginx/certs/../../shadow')).toBe(false);
    expect(isPathWithin(root, '/etc/nginx/certs/..')).toBe(false);
  });

  it('refuses relative paths, relative roots and NUL bytes', () => {
    expect(isPathWithin(root, 'etc/nginx/certs/x')).toBe(false);
    expect(isPathWithin('etc/nginx', '/etc/nginx/x')).toBe(false);
    expect(isPathWithin(root, '/etc/nginx/certs/x\0')).toBe(false);
    expect(isPathWithin(`${root}\0`, '/etc/nginx/certs/x')).toBe(false);
  });

  it('the root / covers every absolute path', () => {
    expect(isPathWithin('/', '/anything/at/all')).toBe(true);
  });
});

// Segments an attacker would try: traversal, dot segments, empty (//), lookalike suffixes.
const segment = fc.oneof(
  fc.constantFrom('..', '.', '', 'certs', 'certs-evil', 'certs..', '...', 'nginx', 'etc', 'link', '-evil'),
  fc.stringMatching(/^[a-z.-]{1,6}$/),
);
const absPath = fc.array(segment, { maxLength: 8 }).map((s) => `/${s.join('/')}`);

/** Reference model: resolve segments on a stack, then compare segment arrays. */
function model(p: string): string[] {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

describe('isPathWithin properties', () => {
  it('agrees with a segment-stack model', () => {
    fc.assert(
      fc.property(absPath, absPath, (root, path) => {
        const r = model(root);
        const p = model(path);
        const expected = r.length <= p.length && r.every((s, i) => p[i] === s);
        expect(isPathWithin(root, path)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('a root never covers a sibling that only shares its prefix (certs vs certs-evil)', () => {
    const noTraversal = fc.array(segment.filter((x) => x !== '..'), { maxLength: 4 }).map((s) => s.map((x) => `/${x}`).join(''));
    fc.assert(
      fc.property(absPath, fc.stringMatching(/^[-a-z._]{1,5}$/), noTraversal, (root, suffix, rest) => {
        const r = normalizeAbsolutePath(root);
        fc.pre(r.ok && r.path !== '/');
        const sibling = `${r.ok ? r.path : ''}${suffix}${rest}`;
        expect(isPathWithin(root, sibling)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('normalisation is idempotent and yields no dot segments', () => {
    fc.assert(
      fc.property(absPath, (p) => {
        const n = normalizeAbsolutePath(p);
        expect(n.ok).toBe(true);
        if (!n.ok) return;
        expect(normalizeAbsolutePath(n.path)).toEqual(n);
        expect(n.path.split('/').slice(1).some((s) => s === '.' || s === '..' || (s === '' && n.path !== '/'))).toBe(false);
      }),
    );
  });
});
