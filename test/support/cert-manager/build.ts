/**
 * The cert-manager controller binary and CRDs, built on demand from Go modules by
 * hack/local-cluster/cert-manager/build.sh and cached under ~/.cache/cert-deployer by version, so only
 * the first run on a machine pays the build (minutes); later runs get the directory instantly.
 * `CD_CERT_MANAGER_BIN_DIR` skips the script (set it when a CI step prebuilt the binary).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, '..', '..', 'tools', 'cert-manager', 'build.sh');

/** Enough for a cold build on 2 busy cores (measured about 2–3 minutes). */
export const CERT_MANAGER_BUILD_TIMEOUT_MS = 20 * 60_000;

/** Where the built controller and CRDs live. */
export interface CertManagerBinaries {
  readonly dir: string;
  readonly controller: string;
  readonly crdDir: string;
}

/**
 * Runs the build script (asynchronously, so the test worker's timers keep running) and
 * returns the directory it printed on its last line. Build progress goes to our stderr.
 */
export async function certManagerBinaries(env: NodeJS.ProcessEnv = process.env): Promise<CertManagerBinaries> {
  const dir = env.CD_CERT_MANAGER_BIN_DIR || (await runBuild(env));
  return { dir, controller: join(dir, 'cert-manager-controller'), crdDir: join(dir, 'crds') };
}

function runBuild(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const err: string[] = [];
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err.push(d.toString());
      process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('/')) resolve(last);
      else reject(new Error(`${SCRIPT} exited ${code}: ${err.join('').split('\n').slice(-20).join('\n')}`));
    });
  });
}
