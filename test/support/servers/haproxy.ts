/**
 * A real HAProxy (Debian's /usr/sbin/haproxy, 2.6) for tests: master-worker in the foreground
 * (`-W -db`) in a fresh temp dir, with an admin-level stats socket and one TLS frontend on a
 * free loopback port that answers every request with 200 (`http-request return`). The
 * certificate is one combined PEM, `certs/site.pem`, the path the Runtime API knows it by.
 *
 * No stray process: HAProxy runs under `setpriv --pdeathsig KILL` (startManaged), so the
 * kernel kills the master when the test process dies; the workers die with their master.
 * `stop()` ends it and removes the temp dir. Installs the package when it is missing.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { connect as connectUnix } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls, type PeerCertificate } from 'node:tls';
import { mintSelfSigned } from '../certs/index.ts';
import { startManaged, type ManagedProcess } from '../control-plane/child-process.ts';
import { freePort } from '../control-plane/ports.ts';

export const HAPROXY_BIN = '/usr/sbin/haproxy';

export interface StartHaproxyOptions {
  /** Combined PEM (chain then key) HAProxy starts with; default a fresh self-signed placeholder. */
  readonly initialPem?: string;
  /** Where to create the temp dir (e.g. below an sshd's dir); default the OS temp dir. */
  readonly parentDir?: string;
}

export interface ServedChain {
  /** Lowercase hex SHA-256 of each certificate's DER, leaf first. */
  readonly fingerprints: readonly string[];
}

export interface HaproxyServer {
  /** The canonical temp dir holding config, socket, certificate and log. */
  readonly dir: string;
  readonly configPath: string;
  /** The combined PEM the frontend loads (`crt` line): what the connector writes and names. */
  readonly certificatePath: string;
  /** The admin-level stats socket (worker CLI). */
  readonly socketPath: string;
  readonly port: number;
  /** `127.0.0.1:<port>` of the TLS frontend. */
  readonly address: string;
  readonly masterPid: number;
  /** The PEM HAProxy started with. */
  readonly initialPem: string;
  /** The current worker's pid, as `show info` reports it: unchanged by a hot update, new after a reload. */
  workerPid(): Promise<number>;
  /** One raw Runtime API command (one connection), e.g. `show ssl cert <path>`. */
  command(text: string): Promise<string>;
  /** A fresh TLS handshake (SNI, no session reuse): what the frontend serves right now. */
  served(serverName?: string): Promise<ServedChain>;
  /** The master-worker reload (SIGUSR2 to the master); resolves once a new worker answers. */
  reload(): Promise<void>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** Installs Debian's haproxy when missing, without starting its service. */
export function ensureHaproxy(): void {
  if (existsSync(HAPROXY_BIN)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  // policy-rc.d exit 101: the postinst must not start a system haproxy on :80.
  const policy = '/usr/sbin/policy-rc.d';
  const created = !existsSync(policy);
  if (created) execFileSync('sh', ['-c', `printf '#!/bin/sh\\nexit 101\\n' > ${policy} && chmod +x ${policy}`]);
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'haproxy'], { stdio: 'ignore', env });
  } finally {
    if (created) execFileSync('rm', ['-f', policy]);
  }
}

/** A placeholder certificate (like a distro's snakeoil): HAProxy refuses to start without one. */
export async function placeholderPem(): Promise<string> {
  const s = await mintSelfSigned({ commonName: 'placeholder.invalid', dnsNames: ['placeholder.invalid'] });
  return s.leafPem + s.keyPem;
}

function config(dir: string, port: number): string {
  return `global
  stats socket ${join(dir, 'admin.sock')} mode 600 level admin expose-fd listeners
  stats timeout 30s
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:${port} ssl crt ${join(dir, 'certs', 'site.pem')}
  http-request return status 200 content-type text/plain string ok
`;
}

/** One Runtime API command on a unix socket: write, half-close, read until HAProxy closes. */
export function runtimeCommand(socketPath: string, text: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connectUnix(socketPath);
    const chunks: Buffer[] = [];
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`runtime command timed out: ${text.split(' ').slice(0, 3).join(' ')}`)));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    sock.on('error', reject);
    sock.end(text.endsWith('\n') ? text : `${text}\n`);
  });
}

const sha256 = (der: Buffer): string => createHash('sha256').update(der).digest('hex');

/** Leaf-first fingerprints of a peer's chain (stops at the self-signed top). */
function chainOf(leaf: PeerCertificate & { issuerCertificate?: PeerCertificate }): string[] {
  const out: string[] = [];
  let cur: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = leaf;
  while (cur?.raw !== undefined && out.length < 10) {
    const fp = sha256(cur.raw);
    if (out.includes(fp)) break;
    out.push(fp);
    cur = cur.issuerCertificate;
  }
  return out;
}

/** A fresh TLS handshake to 127.0.0.1:port (never resumed), returning the served chain. */
export function probeServed(port: number, serverName = 'probe.example.test', timeoutMs = 10_000): Promise<ServedChain> {
  return new Promise((resolve, reject) => {
    const s = connectTls({ host: '127.0.0.1', port, servername: serverName, rejectUnauthorized: false }, () => {
      const peer = s.getPeerCertificate(true);
      s.destroy();
      if (peer?.raw === undefined) reject(new Error('no peer certificate'));
      else resolve({ fingerprints: chainOf(peer) });
    });
    s.setTimeout(timeoutMs, () => s.destroy(new Error('TLS handshake timed out')));
    s.once('error', reject);
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, alive: () => boolean): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (!alive()) throw new Error(`haproxy exited while waiting for ${what}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pidOf(socketPath: string): Promise<number | undefined> {
  const m = /^Pid: (\d+)$/m.exec(await runtimeCommand(socketPath, 'show info'));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Starts HAProxy; retries on a port collision. Throws with its log if it does not come up. */
export async function startHaproxy(opts: StartHaproxyOptions = {}): Promise<HaproxyServer> {
  ensureHaproxy();
  const dir = await realpath(await mkdtemp(join(opts.parentDir ?? tmpdir(), 'cd-haproxy-')));
  const initialPem = opts.initialPem ?? (await placeholderPem());
  const certificatePath = join(dir, 'certs', 'site.pem');
  const socketPath = join(dir, 'admin.sock');
  const configPath = join(dir, 'haproxy.cfg');
  await mkdir(join(dir, 'certs'));
  await writeFile(certificatePath, initialPem, { mode: 0o600 });
  await chmod(certificatePath, 0o600);
  let proc: ManagedProcess | undefined;
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    await writeFile(configPath, config(dir, port));
    proc = startManaged('haproxy', HAPROXY_BIN, ['-W', '-db', '-f', configPath], join(dir, `haproxy-${attempt}.log`));
    let exited = false;
    void proc.exited.then(() => (exited = true));
    try {
      await until('the admin socket and the TLS port', async () => ((await pidOf(socketPath)) !== undefined && (await probeServed(port)) ? true : undefined), 30_000, () => !exited);
      break;
    } catch (err) {
      const tail = await proc.tail();
      await proc.stop();
      if (attempt < 3 && /cannot bind|Address already in use/i.test(tail)) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`haproxy did not start: ${(err as Error).message}\n${tail}`, { cause: err });
    }
  }
  const p = proc;
  let alive = true;
  void p.exited.then(() => (alive = false));
  return {
    dir,
    configPath,
    certificatePath,
    socketPath,
    port,
    address: `127.0.0.1:${port}`,
    masterPid: p.pid,
    initialPem,
    async workerPid() {
      const pid = await pidOf(socketPath);
      if (pid === undefined) throw new Error('show info did not report a Pid');
      return pid;
    },
    command: (text) => runtimeCommand(socketPath, text),
    served: (serverName) => probeServed(port, serverName),
    async reload() {
      const before = await pidOf(socketPath);
      process.kill(p.pid, 'SIGUSR2');
      await until('a new worker after the reload', async () => {
        const now = await pidOf(socketPath);
        return now !== undefined && now !== before ? true : undefined;
      }, 30_000, () => alive);
    },
    log: () => readFile(p.logPath, 'utf8').catch(() => ''),
    async stop() {
      await p.stop(3000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
