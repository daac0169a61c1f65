import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import { shellJoin, shellQuote } from '../../../packages/connector-sdk/src/sandbox/host/ssh-quote.ts';

/**
 * The remote side of an SSH exec is `$SHELL -c STRING`. These tests run the joined string
 * through real POSIX shells and read back the argv the program received, NUL-separated.
 */
const SHELLS = ['/bin/sh', '/bin/bash'];

function argvSeenBy(shell: string, args: readonly string[]): string[] {
  // A fixed first argument, so an empty argv still makes printf print something.
  const out = execFileSync(shell, ['-c', shellJoin(['/usr/bin/printf', '%s\\0', 'ARGV', ...args])], { encoding: 'utf8' });
  const seen = out.split('\0').slice(0, -1);
  expect(seen[0]).toBe('ARGV');
  return seen.slice(1);
}

const TRICKY = ['a b', "'", "it's", '"', '$(id)', '`id`', '$HOME', ';', '&&', '|', '>x', '*', '\\', '\\n', 'x\ny', '\t', '', ' ', '-n', '--', '!', '#c', '~'];

describe('shellQuote / shellJoin', () => {
  it('quotes every element in single quotes and escapes embedded quotes', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellJoin(['/bin/echo', 'a b'])).toBe(`exec '/bin/echo' 'a b'`);
  });

  for (const shell of SHELLS) {
    it(`${shell} receives tricky arguments as the exact argv`, () => {
      expect(argvSeenBy(shell, TRICKY)).toEqual(TRICKY);
    });
  }

  it('round-trips arbitrary strings through /bin/sh (property)', () => {
    const arg = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 4 }), (args) => {
        expect(argvSeenBy('/bin/sh', args)).toEqual(args);
      }),
      { numRuns: 60 },
    );
    // 60 synchronous /bin/sh spawns: the 5 s default is too short on a loaded 2-core runner.
  }, 30_000);

  it('does not run a command substitution (no side effect)', () => {
    const out = execFileSync('/bin/sh', ['-c', shellJoin(['/bin/echo', '$(echo INJECTED)', '; echo INJECTED'])], { encoding: 'utf8' });
    expect(out).toBe('$(echo INJECTED) ; echo INJECTED\n');
  });

  it('rejects an empty argv, a program name that is empty or an option, and NUL bytes', () => {
    for (const bad of [[], [''], ['-la'], ['/bin/echo', 'a\0b']]) {
      let caught: unknown;
      try {
        shellJoin(bad);
      } catch (err) {
        caught = err;
      }
      expect(hasCode(caught, 'CD_ERR_EXEC')).toBe(true);
    }
  });
});
