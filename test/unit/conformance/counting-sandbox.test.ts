/**
 * The counting decorator over a real checked sandbox (LocalHost, temp dir, loopback HTTP
 * server): it counts attempts and completions, tells mutating requests from reads, and
 * forwards every result and denial unchanged.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, isDenied, LocalHost } from '../../../packages/connector-sdk/src/sandbox/index.ts';
import { CountingSandbox } from '../../../packages/connector-sdk/src/conformance/counting-sandbox.ts';

let dir: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'cd-counting-')));
  server = createServer((req, res) => res.end(req.method));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function sandboxFor(execs: string[] = []) {
  const inner = createSandbox({
    grant: { read: [], write: [join(dir, 'f.pem')], dial: [`127.0.0.1:${port}`], exec: [{ argv: ['/bin/true'] }] },
    host: new LocalHost(),
  });
  return { inner, counting: new CountingSandbox(inner, { onExec: (argv) => execs.push(argv.join(' ')) }) };
}

describe('CountingSandbox', () => {
  it('counts file writes, restores and execs as effects, reads not', async () => {
    const execs: string[] = [];
    const { inner, counting } = sandboxFor(execs);
    const w = await counting.writeFile(join(dir, 'f.pem'), 'cert');
    expect(new TextDecoder().decode((await counting.readFile(join(dir, 'f.pem'))) ?? new Uint8Array())).toBe('cert');
    await counting.restoreFile(w);
    expect((await counting.exec(['/bin/true'])).exitCode).toBe(0);
    expect(counting.calls.readFile).toEqual({ attempted: 1, completed: 1 });
    expect(counting.effects).toBe(3);
    expect(execs).toEqual(['/bin/true']);
    expect(counting.calls.visible).toEqual(['/bin/true']);
    await inner.close();
  });

  it('counts a refused call as attempted, not completed, and passes the DeniedError through', async () => {
    const { inner, counting } = sandboxFor();
    const err = await counting.writeFile(join(dir, 'other.pem'), 'x').catch((e: unknown) => e);
    expect(isDenied(err)).toBe(true);
    expect(counting.calls.writeFile).toEqual({ attempted: 1, completed: 0 });
    expect([counting.effects, counting.attemptedEffects]).toEqual([0, 1]);
    await inner.close();
  });

  it('GET and HEAD are not mutating; POST, PUT and DELETE are', async () => {
    const { inner, counting } = sandboxFor();
    for (const method of ['GET', 'head', 'POST', 'put', 'DELETE']) {
      const res = await counting.request({ url: `http://127.0.0.1:${port}/x`, method });
      expect(res.status).toBe(200);
    }
    await counting.request({ url: `http://127.0.0.1:${port}/y` });
    expect(counting.calls.request).toEqual({ attempted: 6, completed: 6 });
    expect(counting.calls.mutatingRequest).toEqual({ attempted: 3, completed: 3 });
    expect(counting.calls.visible).toContain(`http://127.0.0.1:${port}/y`);
    await inner.close();
  });
});
