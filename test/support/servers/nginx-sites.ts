/**
 * Real nginx (Debian's, master + one worker per process) serving many TLS sites, one `server`
 * block per site chosen by SNI, each reading its own certificate and key files, grouped
 * `sitesPerProcess` to a process (one loopback port per process). For tests with dozens of
 * targets (the progressive rollout's 30 edges): every site's handshake is real.
 *
 * Why not always one process: `nginx -s reload` parses the whole configuration, every site's
 * key pair included, so with the default InPlace file layout a reload that runs while another
 * target of the same process is between its certificate and its key fails with "key values
 * mismatch" (the first run of the rollout test showed it). One process per site keeps each
 * target's reload about its own files; `layout: Atomic` is the other way out.
 */
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../control-plane/ports.ts';
import { NGINX_BIN, nginxSpec } from './nginx.ts';
import { startServerProcess, type ServerProcess } from './process-group.ts';
import { servedLeaf } from './tls-served.ts';
import { ensureInstalled } from './web-server.ts';

export interface Site {
  readonly name: string;
  /** `127.0.0.1:<port>` of the process serving this site. */
  readonly address: string;
  /** Exact argv that reloads the process serving this site (what a file target's reload gets). */
  readonly reloadArgv: readonly string[];
  /** SNI that selects this site. */
  readonly serverName: string;
  readonly certificatePath: string;
  readonly privateKeyPath: string;
}

export interface NginxSites {
  readonly dir: string;
  readonly sites: readonly Site[];
  site(name: string): Site;
  stop(): Promise<void>;
}

type SiteFiles = Omit<Site, 'address' | 'reloadArgv'>;

const instanceArgs = (dir: string): string[] => ['-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-p', `${dir}/`];

function render(dir: string, port: number, sites: readonly SiteFiles[]): string {
  const tmp = (name: string) => `${name}_temp_path ${join(dir, `tmp-${name}`)};`;
  const servers = sites.map((s) => `  server {
    listen 127.0.0.1:${port} ssl;
    server_name ${s.serverName};
    ssl_certificate ${s.certificatePath};
    ssl_certificate_key ${s.privateKeyPath};
    return 200 "${s.name}\\n";
  }`).join('\n');
  return `# cert-deployer test server (test/support/servers/nginx-sites.ts)
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} notice;
events { worker_connections 256; }
http {
  access_log off;
  server_names_hash_bucket_size 128;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(tmp).join('\n  ')}
${servers}
}
`;
}

/**
 * Starts nginx with one site per name, `sitesPerProcess` sites to a process (default: all in
 * one), each site first serving `initial` (written to its own files); waits until every
 * process answers with it.
 */
export async function startNginxSites(names: readonly string[], initial: { readonly chainPem: string; readonly keyPem: string; readonly leafFingerprint: string }, opts: { readonly sitesPerProcess?: number } = {}): Promise<NginxSites> {
  ensureInstalled(nginxSpec);
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'cd-nginx-sites-')));
  const files = names.map((name): SiteFiles => ({ name, serverName: `${name}.rollout.test`, certificatePath: join(dir, 'sites', name, 'tls.crt'), privateKeyPath: join(dir, 'sites', name, 'tls.key') }));
  for (const s of files) {
    await mkdir(join(dir, 'sites', s.name), { recursive: true });
    await writeFile(s.certificatePath, initial.chainPem);
    await writeFile(s.privateKeyPath, initial.keyPem, { mode: 0o600 });
  }
  const per = opts.sitesPerProcess ?? files.length;
  const groups: SiteFiles[][] = [];
  for (let i = 0; i < files.length; i += per) groups.push(files.slice(i, i + per));
  const started: { proc: ServerProcess; sites: Site[] }[] = [];
  try {
    // A few at a time: each start is a fork and a handshake loop on a shared, busy machine.
    for (let i = 0; i < groups.length; i += 6) {
      started.push(...await Promise.all(groups.slice(i, i + 6).map((g, j) => startProcess(join(dir, `p${i + j}`), g, initial.leafFingerprint))));
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.proc.stop()));
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const sites = started.flatMap((s) => s.sites);
  return {
    dir,
    sites,
    site: (name) => {
      const found = sites.find((s) => s.name === name);
      if (!found) throw new Error(`no site ${name}`);
      return found;
    },
    async stop() {
      await Promise.all(started.map((s) => s.proc.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One nginx process in `dir` serving `group`, on a free port (retried when another process took it). */
async function startProcess(dir: string, group: readonly SiteFiles[], leaf: string): Promise<{ proc: ServerProcess; sites: Site[] }> {
  await mkdir(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await writeFile(join(dir, 'nginx.conf'), render(dir, port, group));
    const proc = startServerProcess(NGINX_BIN, ['-g', 'daemon off;', ...instanceArgs(dir)], join(dir, 'stdout.log'));
    const address = `127.0.0.1:${port}`;
    if (await serving(address, [group[0]!, group.at(-1)!], leaf, proc)) {
      const reloadArgv = [NGINX_BIN, '-s', 'reload', ...instanceArgs(dir)];
      return { proc, sites: group.map((s) => ({ ...s, address, reloadArgv })) };
    }
    await proc.stop();
    const why = `${await proc.output()}\n${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`;
    if (!/Address already in use/.test(why) || attempt >= 5) throw new Error(`nginx did not start:\n${why.slice(-4000)}`);
  }
}

async function serving(address: string, sites: readonly SiteFiles[], leaf: string, proc: ServerProcess): Promise<boolean> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (!proc.alive()) return false;
    const seen = await Promise.all(sites.map((s) => servedLeaf(address, s.serverName)));
    if (seen.every((x) => x === leaf)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
