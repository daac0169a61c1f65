/**
 * One real nginx (Debian's, master + one worker) serving many TLS sites on one loopback port,
 * one `server` block per site chosen by SNI, each reading its own certificate and key files.
 * For tests with dozens of targets (the progressive rollout's 30 edges): every site's
 * handshake is real, and one reload re-reads every site's files, so a site whose files did not
 * change visibly keeps serving its old certificate.
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
  /** SNI that selects this site. */
  readonly serverName: string;
  readonly certificatePath: string;
  readonly privateKeyPath: string;
}

export interface NginxSites {
  readonly dir: string;
  /** `127.0.0.1:<port>`, shared by every site. */
  readonly address: string;
  readonly sites: readonly Site[];
  /** Exact argv that reloads this instance (what a file target's reload gets). */
  readonly reloadArgv: readonly string[];
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

const instanceArgs = (dir: string): string[] => ['-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-p', `${dir}/`];

function render(dir: string, port: number, sites: readonly Site[]): string {
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
 * Starts nginx with one site per name, each first serving `initial` (written to its own files),
 * and waits until the first and the last site answer with it.
 */
export async function startNginxSites(names: readonly string[], initial: { readonly chainPem: string; readonly keyPem: string; readonly leafFingerprint: string }): Promise<NginxSites> {
  ensureInstalled(nginxSpec);
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'cd-nginx-sites-')));
  const sites = names.map((name): Site => ({ name, serverName: `${name}.rollout.test`, certificatePath: join(dir, 'sites', name, 'tls.crt'), privateKeyPath: join(dir, 'sites', name, 'tls.key') }));
  for (const s of sites) {
    await mkdir(join(dir, 'sites', s.name), { recursive: true });
    await writeFile(s.certificatePath, initial.chainPem);
    await writeFile(s.privateKeyPath, initial.keyPem, { mode: 0o600 });
  }
  let proc: ServerProcess | undefined;
  let port = 0;
  for (let attempt = 1; proc === undefined; attempt++) {
    port = await freePort();
    await writeFile(join(dir, 'nginx.conf'), render(dir, port, sites));
    const started = startServerProcess(NGINX_BIN, ['-g', 'daemon off;', ...instanceArgs(dir)], join(dir, 'stdout.log'));
    if (await serving(`127.0.0.1:${port}`, [sites[0]!, sites.at(-1)!], initial.leafFingerprint, started)) proc = started;
    else {
      await started.stop();
      const why = `${await started.output()}\n${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`;
      if (!/Address already in use/.test(why) || attempt >= 5) {
        await rm(dir, { recursive: true, force: true });
        throw new Error(`nginx did not start:\n${why.slice(-4000)}`);
      }
    }
  }
  const running = proc;
  return {
    dir,
    address: `127.0.0.1:${port}`,
    sites,
    reloadArgv: [NGINX_BIN, '-s', 'reload', ...instanceArgs(dir)],
    errorLog: () => readFile(join(dir, 'error.log'), 'utf8').catch(() => ''),
    async stop() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function serving(address: string, sites: readonly Site[], leaf: string, proc: ServerProcess): Promise<boolean> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (!proc.alive()) return false;
    const seen = await Promise.all(sites.map((s) => servedLeaf(address, s.serverName)));
    if (seen.every((x) => x === leaf)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
