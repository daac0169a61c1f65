/**
 * The README's examples are what a cluster install runs as written: the first example is
 * examples/nginx-over-ssh.yaml, no example uses `host: local` (in a Helm install that is the
 * read-only, distroless controller pod), and every SSH target pins a host key. The local
 * environment applies the rendered copies (test/integration/local-env), and the apiserver
 * validates the originals there (server-side dry run).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderExample } from '../../../hack/local-env/examples.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (rel: string) => readFile(join(ROOT, rel), 'utf8');

describe('README and examples/', () => {
  it('the README\'s first example is examples/nginx-over-ssh.yaml', async () => {
    const readme = await read('README.md');
    const first = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(parse(first!)).toEqual(parse(await read('examples/nginx-over-ssh.yaml')));
  });

  it('the README keeps exactly two commands: run the product, run the tests', async () => {
    // Indented code blocks outside the fenced YAML are the commands.
    const outsideFences = (await read('README.md')).replace(/```[\s\S]*?```/g, '');
    const commands = outsideFences.split('\n').filter((l) => /^ {4}\S/.test(l));
    expect(commands).toEqual(['    ./hack/demo.sh', '    ./hack/test.sh']);
  });

  it('no example targets host: local, and every SSH target pins a host key', async () => {
    // The manifests; examples/plugins holds plugin sources (docs/plugins.md), not manifests.
    for (const name of (await readdir(join(ROOT, 'examples'))).filter((n) => n.endsWith('.yaml'))) {
      const text = await read(`examples/${name}`);
      expect(text, name).not.toMatch(/^\s*local:/m);
      const doc = parse(text) as { kind: string; spec: { targets?: Record<string, { host?: { ssh?: { hostKey?: string } } }>[] } };
      for (const t of doc.spec.targets ?? []) {
        for (const block of Object.values(t)) {
          if (typeof block === 'object' && block?.host !== undefined) expect(block.host.ssh?.hostKey, name).toMatch(/^ssh-ed25519 /);
        }
      }
    }
  });

  it('rendering for the local environment changes only the machine\'s facts', async () => {
    const local = {
      sshAddress: '127.0.0.1:2222', sshUser: 'root', hostKey: 'ssh-ed25519 AAAAlocal',
      nginxCertificatePath: '/tmp/x/nginx/tls/shop.crt', nginxPrivateKeyPath: '/tmp/x/nginx/tls/shop.key', filesDir: '/tmp/x/files',
      configTest: ['/usr/sbin/nginx', '-t', '-c', '/tmp/x/nginx/nginx.conf'], reload: ['/usr/sbin/nginx', '-s', 'reload', '-c', '/tmp/x/nginx/nginx.conf'],
      tlsAddress: '127.0.0.1:8443',
    };
    const file = parse(renderExample(await read('examples/file-deployment.yaml'), 'examples/file-deployment.yaml', local)) as { metadata: unknown; spec: { secretRef: unknown; targets: { file: Record<string, unknown> }[] } };
    expect(file.spec.targets[0]!.file).toEqual({
      host: { ssh: { address: '127.0.0.1:2222', user: 'root', credentialsRef: { name: 'edge-ssh' }, hostKey: 'ssh-ed25519 AAAAlocal' } },
      certificatePath: '/tmp/x/files/tls.crt', privateKeyPath: '/tmp/x/files/tls.key',
    });
    const policy = parse(renderExample(await read('examples/deployment-policy.yaml'), 'examples/deployment-policy.yaml', local)) as { spec: Record<string, unknown> };
    expect(policy.spec).toEqual({
      namespaces: ['shop'],
      hosts: [{ ssh: { address: '127.0.0.1:2222', hostKeys: ['ssh-ed25519 AAAAlocal'] }, pathRoots: ['/tmp/x/nginx/tls', '/tmp/x/files'], commands: [local.configTest, local.reload] }],
      dial: ['127.0.0.1:8443'],
      credentialSecrets: ['edge-ssh'],
    });
    expect(() => renderExample('kind: Secret\n', 'x.yaml', local)).toThrow(/neither CertificateDeployment nor DeploymentPolicy/);
  });
});
