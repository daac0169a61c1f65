/**
 * A real web server (nginx or Apache httpd from Debian) run as a plain foreground process for
 * one test: its own configuration, pid and logs in a temp dir, TLS on a free loopback port,
 * torn down always (see process-group.ts for why no worker can outlive the run).
 *
 * The server is configured to read the certificate files a connector will write. Those usually
 * do not exist yet when a test starts, and neither server starts without them, so it starts on
 * a throwaway bootstrap certificate and its configuration file is then pointed at the real
 * paths WITHOUT a reload — like a production server installed with a placeholder certificate.
 * From then on only the connector's config test and reload change what it serves.
 *
 * Each server kind is a small `ServerSpec` (its config text and its argv); nginx.ts and
 * apache.ts hold the two specs.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintChain } from '@cert-deployer/connector-sdk/testing';
import { freePort } from '../ports.ts';
import { startServerProcess, type ServerProcess } from './process-group.ts';
import { servedLeaf } from './tls-served.ts';

/** The files the server's TLS configuration names. */
export interface TlsFiles {
  readonly certificatePath: string;
  readonly privateKeyPath: string;
  /** Apache's SSLCertificateChainFile (old layout); nginx has none. */
  readonly chainPath?: string | undefined;
}

/** Where a spec renders its configuration: the server dir, the port, the files, the include. */
export interface RenderInput {
  readonly dir: string;
  readonly port: number;
  readonly files: TlsFiles;
  /** A file included inside the TLS server/virtual host: tests put broken directives there. */
  readonly extraPath: string;
}

/** One server kind: how to configure, start, test and reload it. */
export interface ServerSpec {
  readonly kind: string;
  /** The Debian package and the binary it provides (installed when missing). */
  readonly debianPackage: string;
  readonly binaryPath: string;
  render(input: RenderInput): string;
  configPath(dir: string): string;
  pidPath(dir: string): string;
  errorLogPath(dir: string): string;
  startArgv(dir: string): readonly string[];
  configTestArgv(dir: string): readonly string[];
  reloadArgv(dir: string): readonly string[];
}

export interface WebServer {
  readonly kind: string;
  /** The server's own dir (configuration, pid, logs). */
  readonly dir: string;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly files: TlsFiles;
  readonly configPath: string;
  readonly pidPath: string;
  /** Exact argv that tests this instance's configuration (what a connector block's configTest gets). */
  readonly configTestArgv: readonly string[];
  /** Exact argv that reloads this instance. */
  readonly reloadArgv: readonly string[];
  /** Replaces the directives included inside the TLS server block (no reload). */
  setExtraDirectives(text: string): Promise<void>;
  errorLog(): Promise<string>;
  alive(): boolean;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly files: TlsFiles;
  /** The server dir; default a fresh temp dir (removed on stop). Created when missing. */
  readonly dir?: string;
}

const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 60_000;

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** Writes a throwaway chain (leaf, intermediate) and key in `dir`: what the server starts on. */
async function bootstrapFiles(dir: string): Promise<TlsFiles> {
  const chain = await mintChain({ name: 'Bootstrap', dnsNames: ['bootstrap.example.test'] });
  const files = { certificatePath: join(dir, 'bootstrap.crt'), privateKeyPath: join(dir, 'bootstrap.key'), chainPath: join(dir, 'bootstrap-chain.crt') };
  await writeFile(files.certificatePath, chain.leafPem);
  await writeFile(files.chainPath, chain.intermediatePems.join(''));
  await writeFile(files.privateKeyPath, chain.keyPem, { mode: 0o600 });
  return files;
}

/** The bootstrap files in the real files' layout: the chain inline unless a chain file is used. */
async function bootstrapLike(dir: string, real: TlsFiles): Promise<TlsFiles> {
  const b = await bootstrapFiles(dir);
  if (real.chainPath !== undefined) return b;
  const full = join(dir, 'bootstrap-full.crt');
  await writeFile(full, (await readFile(b.certificatePath, 'utf8')) + (await readFile(b.chainPath as string, 'utf8')));
  return { certificatePath: full, privateKeyPath: b.privateKeyPath };
}

const root = join(import.meta.dirname, '..', '..', '..');

/**
 * Installs the server's Debian package when its binary is missing, through hack/lib.sh's
 * `ensure_apt`, which keeps the package's postinst from starting a system service on port 80.
 */
export function ensureInstalled(spec: Pick<ServerSpec, 'debianPackage' | 'binaryPath'>): void {
  if (existsSync(spec.binaryPath)) return;
  execFileSync('bash', ['-c', `. "${join(root, 'hack', 'lib.sh')}" && ensure_apt "$1"`, 'ensure-apt', spec.debianPackage], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!existsSync(spec.binaryPath)) throw new Error(`installing ${spec.debianPackage} did not provide ${spec.binaryPath}`);
}

/** Starts `spec` serving `opts.files` (or a bootstrap certificate until they exist). */
export async function startWebServer(spec: ServerSpec, opts: StartOptions): Promise<WebServer> {
  ensureInstalled(spec);
  const ownDir = opts.dir === undefined;
  const dir = await realpath(opts.dir ?? (await mkdtemp(join(tmpdir(), `cd-${spec.kind}-`)))).catch(async () => {
    await mkdir(opts.dir as string, { recursive: true });
    return realpath(opts.dir as string);
  });
  const extraPath = join(dir, 'extra.conf');
  await writeFile(extraPath, '');
  const real = opts.files;
  const present = (await exists(real.certificatePath)) && (await exists(real.privateKeyPath)) && (real.chainPath === undefined || (await exists(real.chainPath)));
  const startFiles = present ? real : await bootstrapLike(dir, real);
  const configPath = spec.configPath(dir);

  let proc: ServerProcess | undefined;
  let port = 0;
  try {
    for (let attempt = 1; proc === undefined; attempt++) {
      port = await freePort();
      await writeFile(configPath, spec.render({ dir, port, files: startFiles, extraPath }));
      const started = startServerProcess(spec.startArgv(dir)[0] as string, spec.startArgv(dir).slice(1), join(dir, 'stdout.log'));
      const ready = await untilServing(`127.0.0.1:${port}`, await leafOf(startFiles), started);
      if (ready) proc = started;
      else {
        await started.stop();
        const why = `${await started.output()}\n${await readFile(spec.errorLogPath(dir), 'utf8').catch(() => '')}`;
        if (!/Address already in use/.test(why) || attempt >= START_ATTEMPTS) throw new Error(`${spec.kind} did not start:\n${why.slice(-4000)}`);
      }
    }
    // Point the configuration at the real paths; the running server keeps the bootstrap until a reload.
    if (!present) await writeFile(configPath, spec.render({ dir, port, files: real, extraPath }));
  } catch (err) {
    await proc?.stop();
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const running = proc;
  return {
    kind: spec.kind,
    dir,
    address: `127.0.0.1:${port}`,
    files: real,
    configPath,
    pidPath: spec.pidPath(dir),
    configTestArgv: spec.configTestArgv(dir),
    reloadArgv: spec.reloadArgv(dir),
    setExtraDirectives: (text) => writeFile(extraPath, text),
    errorLog: () => readFile(spec.errorLogPath(dir), 'utf8').catch(() => ''),
    alive: () => running.alive(),
    async stop() {
      await running.stop();
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Fingerprint of the first certificate in a PEM file. */
async function leafOf(files: TlsFiles): Promise<string> {
  const text = await readFile(files.certificatePath, 'utf8');
  const first = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)?.[0];
  if (first === undefined) throw new Error(`${files.certificatePath} holds no certificate`);
  return new X509Certificate(first).fingerprint256.replaceAll(':', '').toLowerCase();
}

/**
 * True once `address` serves `leaf` (this server's own certificate, not whatever else grabbed
 * the port first); false when the process exits first.
 */
async function untilServing(address: string, leaf: string, proc: ServerProcess): Promise<boolean> {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until) {
    if (!proc.alive()) return false;
    if ((await servedLeaf(address, 'localhost')) === leaf) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
