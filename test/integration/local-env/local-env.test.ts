/**
 * The README's "run the product" command as a user runs it: `./hack/demo.sh` is started
 * non-interactively, its printed kubeconfig and example are used exactly as printed (`kubectl
 * apply -f`), the CertificateDeployment becomes Ready and nginx serves the Secret's certificate
 * (a TLS handshake), the same manifest in another namespace is denied by default, and SIGINT
 * stops everything: exit 0, no process left that names its files, no runc container, and the
 * temp directory it was given (TMPDIR) empty.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { RUNC_ROOT } from '../../../hack/image/runc-container.ts';
import { eventually } from '../../support/controller-harness.ts';
import { waitUntilServed } from '../../support/servers/tls-served.ts';
import { COLD_BUILD_TIMEOUT_MS } from '../image/image-under-test.ts';

const run = promisify(execFile);
const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const fp = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');

let tmp = '';
let child: ChildProcess | undefined;
let stdout = '';
let stderr = '';
let exited: Promise<number | null>;
let printed: { kubeconfig: string; example: string; tls: string; sni: string };

const kubectl = async (...args: string[]) => (await run(join(inject('k8sBinDir'), 'kubectl'), args, { env: { ...process.env, KUBECONFIG: printed.kubeconfig } })).stdout;
const json = async <T>(...args: string[]) => JSON.parse(await kubectl(...args, '-o', 'json')) as T;

interface Cd { metadata: { generation: number }; status?: { observedGeneration?: number; fingerprint?: string; conditions?: { type: string; status: string }[]; targets?: { name: string; ready: boolean; reason: string }[] } }

/** Pids of processes whose command line names a path below `dir`. */
async function processesUnder(dir: string): Promise<string[]> {
  const hits: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (cmd.includes(dir)) hits.push(`${pid}: ${cmd}`);
  }
  return hits;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cd-local-env-'));
  // Its own TMPDIR: every temp dir the environment makes lands here, so "removed" is checkable.
  child = spawn('bash', [join(REPO_ROOT, 'hack', 'demo.sh')], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  exited = new Promise((resolve) => child!.on('exit', (code) => resolve(code)));
  // Up when the instructions are printed; an early exit fails at once with its output.
  const up = eventually(async () => (stdout.includes('Press Ctrl-C') ? true : undefined), COLD_BUILD_TIMEOUT_MS, 'the printed instructions');
  const died = exited.then((code) => Promise.reject(new Error(`demo.sh exited ${code} before it was up`)));
  await Promise.race([up, died]).catch((err: Error) => { throw new Error(`${err.message}\n--- stderr ---\n${stderr.slice(-6000)}`); });
  const tls = /nginx serving https:\/\/(\S+) \(SNI (\S+)\)/.exec(stdout);
  printed = {
    kubeconfig: /^ {4}export KUBECONFIG=(\S+)$/m.exec(stdout)![1]!,
    example: /^ {4}kubectl apply -f (\S+)$/m.exec(stdout)![1]!,
    tls: tls![1]!,
    sni: tls![2]!,
  };
}, COLD_BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGINT');
    await exited;
  }
  if (tmp !== '') await rm(tmp, { recursive: true, force: true });
}, 120_000);

describe('./hack/demo.sh: the local environment', () => {
  it('prints how to use it, and runs the controller as the image under runc when it can', () => {
    expect(printed.kubeconfig.startsWith(tmp)).toBe(true);
    expect(printed.example).toMatch(/examples\/nginx-over-ssh\.yaml$/);
    if (process.getuid?.() === 0 && process.env.CD_IMAGE_DIR !== undefined) expect(stdout).toMatch(/controller +image \S+ under runc \(uid 65532/);
  });

  it('the printed example is the repository example with only this machine\'s facts put in', async () => {
    type Example = { spec: { targets: { nginx: Record<string, unknown> & { host: { ssh: Record<string, unknown> } }; verify: { endpoints: Record<string, unknown>[] } }[] } };
    const repo = parse(await readFile(join(REPO_ROOT, 'examples', 'nginx-over-ssh.yaml'), 'utf8')) as Example;
    const local = parse(await readFile(printed.example, 'utf8')) as Example;
    // Blank out exactly the facts the rendering may change; everything else must be identical.
    const facts = (o: Example) => {
      for (const t of o.spec.targets) {
        for (const k of ['address', 'user', 'hostKey']) t.nginx.host.ssh[k] = 0;
        for (const k of ['certificatePath', 'privateKeyPath', 'configTest', 'reload']) t.nginx[k] = 0;
        for (const e of t.verify.endpoints) e.address = 0;
      }
      return stringify(o);
    };
    const hostKey = local.spec.targets[0]!.nginx.host.ssh.hostKey;
    expect(facts(local)).toBe(facts(repo));
    expect(hostKey).toMatch(/^ssh-ed25519 /);
  });

  it('accepts the repository\'s examples as written (server-side dry run: schema and CEL rules)', async () => {
    for (const name of ['deployment-policy.yaml', 'nginx-over-ssh.yaml', 'file-deployment.yaml']) {
      expect(await kubectl('apply', '--dry-run=server', '-f', join(REPO_ROOT, 'examples', name)), name).toMatch(/\(server dry run\)/);
    }
  });

  it('the printed kubectl apply makes it Ready, and nginx serves the Secret\'s certificate', async () => {
    await kubectl('apply', '-f', printed.example);
    const secret = await json<{ data: Record<string, string> }>('get', 'secret', 'shop-web-tls', '-n', 'shop');
    const leaf = fp(Buffer.from(secret.data['tls.crt']!, 'base64').toString());
    const status = await eventually(async () => {
      const d = await json<Cd>('get', 'certdeploy', 'shop-web', '-n', 'shop');
      return d.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && d.status.observedGeneration === d.metadata.generation ? d.status : undefined;
    }, 120_000, 'shop-web Ready').catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await kubectl('get', 'certdeploy', '-A', '-o', 'yaml')}\n--- stderr ---\n${stderr.slice(-4000)}`);
    });
    expect(status.fingerprint).toBe(leaf);
    expect(status.targets?.map((t) => [t.name, t.ready, t.reason])).toEqual([['edge', true, 'Deployed']]);
    expect(await waitUntilServed(printed.tls, printed.sni, leaf)).toBe(leaf);
  });

  it('denies the same manifest in a namespace no policy selects', async () => {
    const doc = parse(await readFile(printed.example, 'utf8')) as { metadata: { namespace: string } };
    doc.metadata.namespace = 'default';
    for (const name of ['shop-web-tls', 'edge-ssh']) {
      const s = await json<{ type: string; data: Record<string, string> }>('get', 'secret', name, '-n', 'shop');
      await kubectl('create', 'secret', 'generic', name, '-n', 'default', `--type=${s.type}`, ...Object.entries(s.data).map(([k, v]) => `--from-literal=${k}=${Buffer.from(v, 'base64').toString()}`));
    }
    // Beside the printed example, inside the environment's state: removed with it.
    const file = join(dirname(printed.example), 'denied.yaml');
    await writeFile(file, stringify(doc));
    await kubectl('apply', '-f', file);
    const target = await eventually(async () => (await json<Cd>('get', 'certdeploy', 'shop-web', '-n', 'default')).status?.targets?.[0], 60_000, 'a target status');
    expect([target.ready, target.reason]).toEqual([false, 'PolicyDenied']);
  });

  it('SIGINT stops everything and removes it: exit 0, no process, no container, nothing in its TMPDIR', async () => {
    const pid = child!.pid!;
    child!.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await processesUnder(tmp)).toEqual([]);
    const { stdout: list } = await run('runc', ['--root', RUNC_ROOT, 'list', '--format', 'json']).catch(() => ({ stdout: '[]' }));
    expect(((JSON.parse(list || 'null') ?? []) as { id: string }[]).map((c) => c.id).filter((id) => id.startsWith(`cd-local-${pid}-`))).toEqual([]);
    expect(await readdir(tmp)).toEqual([]);
  }, 120_000);
});
