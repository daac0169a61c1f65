import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PRELUDE_BYTES, PidAnnouncementFilter } from '../../../packages/connector-sdk/src/sandbox/host/ssh-exec-output.ts';
import { remoteCommand } from '../../../packages/connector-sdk/src/sandbox/host/ssh-quote.ts';

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
  it('announces the pid of the process that then runs the program, with the fixed minimal environment (real sh)', () => {
    const res = spawnSync('/bin/sh', ['-c', remoteCommand(['/bin/sh', '-c', 'echo "$$ $LANG $LC_ALL $PATH ${HTTPS_PROXY:-none}"; /usr/bin/env | /usr/bin/wc -l'], MARKER)], {
      encoding: 'utf8',
      env: { PATH: '/opt/evil/bin:/usr/bin:/bin', LANG: 'de_DE.UTF-8', HTTPS_PROXY: 'http://proxy.invalid:3128' },
    });
    const announced = /^cd-pid-0123456789abcdef (\d+)\n$/.exec(res.stderr)?.[1];
    // PATH, LANG, LC_ALL and the PWD the shell adds: nothing of the login environment.
    expect(res.stdout).toBe(`${announced} C.UTF-8 C.UTF-8 /usr/sbin:/usr/bin:/sbin:/bin none\n4\n`);
    expect(Number(announced)).toBe(res.pid);
  });

  it('refuses a marker that would need quoting', () => {
    expect(() => remoteCommand(['/bin/true'], "x'; rm -rf /")).toThrow(/marker/);
  });
});
