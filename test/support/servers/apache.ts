/**
 * Apache httpd 2.4 (Debian) for tests: `apache2 -DFOREGROUND` with its own minimal
 * configuration (not Debian's apache2.conf, which needs the APACHE_* variables of envvars),
 * the event MPM and mod_ssl loaded from /usr/lib/apache2/modules, pid, logs, mutexes and
 * runtime files in the server dir, one TLS virtual host on a free loopback port. Children run
 * as www-data (httpd refuses to serve as root); the parent, root here, reads the key.
 *
 * The argv a connector gets is `apache2 -d <dir> -f <conf> -t` / `-k graceful`: exactly what
 * `apachectl configtest` / `apachectl graceful` run, addressed at this instance.
 */
import { join } from 'node:path';
import { startWebServer, type RenderInput, type ServerSpec, type StartOptions, type WebServer } from './web-server.ts';

export const APACHE_BIN = '/usr/sbin/apache2';
export const APACHE_MODULES = '/usr/lib/apache2/modules';

const instanceArgs = (dir: string): string[] => ['-d', dir, '-f', join(dir, 'httpd.conf')];

export const apacheSpec: ServerSpec = {
  kind: 'apache',
  debianPackage: 'apache2',
  binaryPath: '/usr/sbin/apache2',
  render({ dir, port, files, extraPath }: RenderInput): string {
    const mod = (name: string) => `LoadModule ${name}_module ${APACHE_MODULES}/mod_${name}.so`;
    return `# cert-deployer test server (test/support/servers/apache.ts)
ServerRoot ${dir}
${['mpm_event', 'authz_core', 'socache_shmcb', 'ssl'].map(mod).join('\n')}
ServerName localhost
Listen 127.0.0.1:${port}
PidFile ${join(dir, 'httpd.pid')}
ErrorLog ${join(dir, 'error.log')}
LogLevel notice
DefaultRuntimeDir ${dir}
Mutex file:${dir} default
User www-data
Group www-data
StartServers 1
ThreadsPerChild 4
MaxRequestWorkers 8
MinSpareThreads 1
MaxSpareThreads 8
SSLSessionCache shmcb:${join(dir, 'ssl_scache')}(65536)
<VirtualHost 127.0.0.1:${port}>
  ServerName localhost
  SSLEngine on
  SSLCertificateFile ${files.certificatePath}
  SSLCertificateKeyFile ${files.privateKeyPath}
${files.chainPath === undefined ? '' : `  SSLCertificateChainFile ${files.chainPath}\n`}  Include ${extraPath}
</VirtualHost>
`;
  },
  configPath: (dir) => join(dir, 'httpd.conf'),
  pidPath: (dir) => join(dir, 'httpd.pid'),
  errorLogPath: (dir) => join(dir, 'error.log'),
  startArgv: (dir) => [APACHE_BIN, ...instanceArgs(dir), '-DFOREGROUND'],
  configTestArgv: (dir) => [APACHE_BIN, ...instanceArgs(dir), '-t'],
  reloadArgv: (dir) => [APACHE_BIN, ...instanceArgs(dir), '-k', 'graceful'],
};

/** Starts an Apache httpd serving `opts.files` (a bootstrap certificate until they exist). */
export function startApache(opts: StartOptions): Promise<WebServer> {
  return startWebServer(apacheSpec, opts);
}
