/**
 * NGINX 1.22 (Debian) for tests: master + one worker in the foreground (`daemon off`), its
 * configuration, pid, error log and temp paths in the server dir, one TLS server on a free
 * loopback port. The argv a connector gets addresses exactly this instance (`-c`, `-p`, `-e`),
 * so `nginx -t` and `nginx -s reload` never touch a packaged nginx.
 */
import { join } from 'node:path';
import { startWebServer, type RenderInput, type ServerSpec, type StartOptions, type WebServer } from './web-server.ts';

export const NGINX_BIN = '/usr/sbin/nginx';

/** Arguments that pin every nginx invocation to the instance in `dir`. */
const instanceArgs = (dir: string): string[] => ['-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-p', `${dir}/`];

export const nginxSpec: ServerSpec = {
  kind: 'nginx',
  debianPackage: 'nginx',
  binaryPath: '/usr/sbin/nginx',
  render({ dir, port, files, extraPath }: RenderInput): string {
    const tmp = (name: string) => `${name}_temp_path ${join(dir, `tmp-${name}`)};`;
    return `# cert-deployer test server (test/support/servers/nginx.ts)
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} notice;
events { worker_connections 64; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(tmp).join('\n  ')}
  server {
    listen 127.0.0.1:${port} ssl;
    server_name _;
    ssl_certificate ${files.certificatePath};
    ssl_certificate_key ${files.privateKeyPath};
    include ${extraPath};
    return 200 "ok\\n";
  }
}
`;
  },
  configPath: (dir) => join(dir, 'nginx.conf'),
  pidPath: (dir) => join(dir, 'nginx.pid'),
  errorLogPath: (dir) => join(dir, 'error.log'),
  startArgv: (dir) => [NGINX_BIN, '-g', 'daemon off;', ...instanceArgs(dir)],
  configTestArgv: (dir) => [NGINX_BIN, '-t', ...instanceArgs(dir)],
  reloadArgv: (dir) => [NGINX_BIN, '-s', 'reload', ...instanceArgs(dir)],
};

/** Starts an nginx serving `opts.files` (a bootstrap certificate until they exist). */
export function startNginx(opts: StartOptions): Promise<WebServer> {
  return startWebServer(nginxSpec, opts);
}
