/**
 * The local control plane's own contract: it reports the real version, tears down cleanly,
 * and a crashed owner leaves no etcd or kube-apiserver process behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VersionApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { testKubeConfig } from '../../support/kube.ts';

const starter = join(import.meta.dirname, 'start-and-report.ts');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  while (Date.now() < until && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

describe('local control plane', () => {
  it('serves /version with the real Kubernetes version', async () => {
    const v = await testKubeConfig().makeApiClient(VersionApi).getCode();
    expect(v.gitVersion).toMatch(/^v1\.3[67]\.\d+$/);
    expect(v.major).toBe('1');
  });

  it('leaves no process behind when its owner is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, [starter, inject('k8sBinDir')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const report = await new Promise<{ pids: number[]; dir: string }>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const line = buf.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { pids: number[]; dir: string });
      });
      child.on('exit', (code) => reject(new Error(`starter exited ${code} before reporting`)));
    });
    expect(report.pids.length).toBe(2);
    expect(report.pids.every(alive)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitGone(report.pids, 10_000)).toEqual([]);
    expect(existsSync(report.dir)).toBe(true); // files remain until the next start sweeps them
  });

  it('stop() kills both processes and removes its directory', async () => {
    const child = spawn(process.execPath, [starter, inject('k8sBinDir'), '--stop'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    const report = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as { pids: number[]; dir: string };
    expect(report.pids.filter(alive)).toEqual([]);
    expect(existsSync(report.dir)).toBe(false);
  });
});
