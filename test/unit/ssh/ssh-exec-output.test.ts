import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PRELUDE_BYTES, PidAnnouncementFilter } from '../../../src/sandbox/host/ssh-exec-output.ts';
import { remoteCommand } from '../../../src/sandbox/host/ssh-quote.ts';

const MARKER = 'cd-pid-0123456789abcdef';

/** Feeds `input` to a filter in the given chunk sizes; returns what passed and the pids seen. */
function filter(input: Buffer, sizes: number[]): { out: string; pids: number[] } {
  const out: Buffer[] = [];
  const pids: number[] = [];
  const f = new PidAnnouncementFilter(MARKER, (c) => out.push(Buffer.from(c)), (p) => pids.push(p));
  let at = 0;
  for (const n of sizes) {
    f.push(input.subarray(at, at + n));
    at += n;
  }
  f.push(input.subarray(at));
  f.flush();
  return { out: Buffer.concat(out).toString('utf8'), pids };
}

describe('PidAnnouncementFilter', () => {
  it('removes the first announcement, keeps rc-file noise before it and output after it', () => {
    const input = Buffer.from(`motd noise\n${MARKER} 4242\nreal stderr\n${MARKER} 7\n`);
    expect(filter(input, [])).toEqual({ out: `motd noise\nreal stderr\n${MARKER} 7\n`, pids: [4242] });
  });

  it('gives the same answer however the stream is split (property)', () => {
    const input = Buffer.from(`pre\n${MARKER} 31337\nafter ü\n`);
    const whole = filter(input, []);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 12 }), (sizes) => {
        expect(filter(input, sizes)).toEqual(whole);
      }),
    );
  });

  it('passes everything through when no announcement comes', () => {
    const noise = Buffer.alloc(MAX_PRELUDE_BYTES + 10, 'n');
    expect(filter(noise, [1000])).toEqual({ out: noise.toString(), pids: [] });
    expect(filter(Buffer.from('short'), [])).toEqual({ out: 'short', pids: [] });
  });

  it('ignores implausible pids', () => {
    expect(filter(Buffer.from(`${MARKER} 1\n${MARKER} x\n`), []).pids).toEqual([]);
  });
});

describe('remoteCommand', () => {
  it('announces the pid of the process that then runs the program, with the C locale (real sh)', () => {
    const res = spawnSync('/bin/sh', ['-c', remoteCommand(['sh', '-c', 'echo "$$ $LANG $LC_ALL"'], MARKER)], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], LANG: 'de_DE.UTF-8' },
    });
    const announced = /^cd-pid-0123456789abcdef (\d+)\n$/.exec(res.stderr)?.[1];
    expect(res.stdout).toBe(`${announced} C C\n`);
    expect(Number(announced)).toBe(res.pid);
  });

  it('refuses a marker that would need quoting', () => {
    expect(() => remoteCommand(['true'], "x'; rm -rf /")).toThrow(/marker/);
  });
});
