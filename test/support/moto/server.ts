/**
 * A real moto server (`python -m moto.server`) on a free loopback port, in its own temp dir,
 * spawned under `setpriv --pdeathsig KILL` so it dies with the test process even on a crash.
 * moto emulates ACM's documented JSON API (ImportCertificate with re-import into an ARN,
 * GetCertificate, ListCertificates with key-type filters, tags, DeleteCertificate) in memory.
 *
 * Known differences from real ACM that tests must respect (moto/acm/models.py):
 * - a re-import replaces the whole bundle, so tags are lost (real ACM keeps them);
 * - GetCertificate's chain always ends with a fixed "Amazon" root moto appends (`rootFingerprint`);
 * - the key is not checked against the certificate, nor the chain against the issuer;
 * - IAM is not enforced: any access key is accepted.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startManaged, type ManagedProcess } from '../control-plane/child-process.ts';
import { freePort } from '../control-plane/ports.ts';
import { ensureMoto, MOTO_VERSION } from './install.ts';

export interface StartMotoOptions {
  /**
   * Enforce IAM like AWS does: SigV4 signatures are verified, unknown access keys are refused
   * and IAM policies are evaluated. The first `INITIAL_UNAUTHENTICATED_ACTIONS` actions are free,
   * which `bootstrapIam` (iam.ts) spends on an admin user. Do not `reset()` such a server.
   */
  readonly iamAuth?: boolean;
}

/** Actions moto serves without authentication on an `iamAuth` server (the admin bootstrap). */
export const INITIAL_UNAUTHENTICATED_ACTIONS = 3;

export interface MotoServer {
  /** `http://127.0.0.1:<port>`: the `endpoint` for an SDK client or the awsAcm block. */
  readonly endpoint: string;
  /** `127.0.0.1:<port>`: the dial grant item. */
  readonly address: string;
  readonly port: number;
  readonly version: string;
  /** The python of moto's venv (boto3 is installed there too). */
  readonly python: string;
  /** SHA-256 of the root certificate moto appends to every GetCertificate chain. */
  readonly rootFingerprint: string;
  /** Forgets all state (every account and region). */
  reset(): Promise<void>;
  /** The server log, for failure messages. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 90_000;

/** Reads moto's fixed root from the installed source, so the tests never hard-code it. */
async function motoRootFingerprint(python: string): Promise<string> {
  const lib = join(python, '..', '..', 'lib');
  const py = (await readdir(lib)).find((d) => d.startsWith('python'));
  const source = await readFile(join(lib, py ?? 'python3', 'site-packages', 'moto', 'acm', 'models.py'), 'utf8');
  const pem = /AWS_ROOT_CA = b"""(-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----)"""/.exec(source)?.[1];
  if (pem === undefined) throw new Error('moto/acm/models.py has no AWS_ROOT_CA: the moto version changed how it builds chains');
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

async function waitUp(proc: ManagedProcess, url: string): Promise<boolean> {
  const until = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (Date.now() < until && !exited) {
    try {
      const res = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Installs moto if needed and starts it. Throws with the server log if it does not come up. */
export async function startMoto(opts: StartMotoOptions = {}): Promise<MotoServer> {
  const python = await ensureMoto();
  const rootFingerprint = await motoRootFingerprint(python);
  const dir = await mkdtemp(join(tmpdir(), 'cd-moto-'));
  let lastLog = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const serve = [python, '-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)];
    // `env` execs python in place, so setpriv's parent-death signal still applies to it.
    const argv = opts.iamAuth === true ? [`INITIAL_NO_AUTH_ACTION_COUNT=${INITIAL_UNAUTHENTICATED_ACTIONS}`, ...serve] : serve;
    const proc = startManaged('moto', opts.iamAuth === true ? 'env' : python, opts.iamAuth === true ? argv : argv.slice(1), join(dir, `moto-${attempt}.log`));
    if (await waitUp(proc, endpoint)) {
      return {
        endpoint,
        address: `127.0.0.1:${port}`,
        port,
        version: MOTO_VERSION,
        python,
        rootFingerprint,
        async reset() {
          const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
        },
        log: () => proc.tail(200),
        async stop() {
          await proc.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    lastLog = await proc.tail(40);
    await proc.stop();
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`moto server did not start:\n${lastLog}`);
}
