/**
 * The repository's examples, rendered for the local environment: the same manifests a cluster
 * install applies (examples/*.yaml), with only the facts of this machine put in: the local
 * sshd's address, user and host key, the local nginx's file paths, its instance-pinned config
 * test and reload argv, and its TLS address. Everything else (names, namespaces, Secrets,
 * connectors, the policy's shape) stays as written, so what works here is what the README shows.
 * Pure: text in, text out; comments are kept.
 */
import { basename, join } from 'node:path';
import { parseDocument, type Document } from 'yaml';

/** The local machine's stand-ins for `edge-1.internal`. */
export interface LocalTarget {
  /** `127.0.0.1:<port>` of the local sshd. */
  readonly sshAddress: string;
  readonly sshUser: string;
  /** The sshd's host key line (`ssh-ed25519 AAAA...`), pinned by targets and the policy. */
  readonly hostKey: string;
  /** Where the local nginx reads its certificate and key. */
  readonly nginxCertificatePath: string;
  readonly nginxPrivateKeyPath: string;
  /** Directory that stands in for every other directory the examples write to. */
  readonly filesDir: string;
  /** Exact argv testing and reloading the local nginx instance. */
  readonly configTest: readonly string[];
  readonly reload: readonly string[];
  /** `127.0.0.1:<port>` nginx serves TLS on. */
  readonly tlsAddress: string;
}

type Path = readonly (string | number)[];

const HEADER = (source: string) => `# Rendered by hack/demo.sh from ${source} for this local environment: only the SSH address,
# user and host key, the file paths, the nginx commands and the TLS address differ.\n`;

/** The directory roots the policy grants: nginx's TLS directory and the stand-in directory. */
function pathRoots(t: LocalTarget): string[] {
  const nginxDir = t.nginxCertificatePath.slice(0, t.nginxCertificatePath.lastIndexOf('/'));
  return [...new Set([nginxDir, t.filesDir])];
}

function renderDeployment(doc: Document, t: LocalTarget): void {
  const targets = (doc.getIn(['spec', 'targets']) as { items: unknown[] } | undefined)?.items ?? [];
  targets.forEach((_, i) => {
    for (const connector of ['nginx', 'file'] as const) {
      const at: Path = ['spec', 'targets', i, connector];
      if (!doc.hasIn(at)) continue;
      if (doc.hasIn([...at, 'host', 'ssh'])) {
        doc.setIn([...at, 'host', 'ssh', 'address'], t.sshAddress);
        doc.setIn([...at, 'host', 'ssh', 'user'], t.sshUser);
        doc.setIn([...at, 'host', 'ssh', 'hostKey'], t.hostKey);
      }
      if (connector === 'nginx') {
        doc.setIn([...at, 'certificatePath'], t.nginxCertificatePath);
        doc.setIn([...at, 'privateKeyPath'], t.nginxPrivateKeyPath);
        doc.setIn([...at, 'configTest'], doc.createNode([...t.configTest], { flow: true }));
        doc.setIn([...at, 'reload'], doc.createNode([...t.reload], { flow: true }));
      } else {
        for (const key of ['certificatePath', 'privateKeyPath', 'caPath']) {
          const p = doc.getIn([...at, key]);
          if (typeof p === 'string') doc.setIn([...at, key], join(t.filesDir, basename(p)));
        }
      }
    }
    const endpoints = (doc.getIn(['spec', 'targets', i, 'verify', 'endpoints']) as { items: unknown[] } | undefined)?.items ?? [];
    endpoints.forEach((__, e) => doc.setIn(['spec', 'targets', i, 'verify', 'endpoints', e, 'address'], t.tlsAddress));
  });
}

function renderPolicy(doc: Document, t: LocalTarget): void {
  const hosts = (doc.getIn(['spec', 'hosts']) as { items: unknown[] } | undefined)?.items ?? [];
  hosts.forEach((_, i) => {
    if (!doc.hasIn(['spec', 'hosts', i, 'ssh'])) return;
    doc.setIn(['spec', 'hosts', i, 'ssh', 'address'], t.sshAddress);
    doc.setIn(['spec', 'hosts', i, 'ssh', 'hostKeys'], doc.createNode([t.hostKey], { flow: true }));
    doc.setIn(['spec', 'hosts', i, 'pathRoots'], doc.createNode(pathRoots(t), { flow: true }));
    doc.setIn(['spec', 'hosts', i, 'commands'], doc.createNode([[...t.configTest], [...t.reload]], { flow: false }));
  });
  if (doc.hasIn(['spec', 'dial'])) doc.setIn(['spec', 'dial'], doc.createNode([t.tlsAddress], { flow: true }));
}

/**
 * Renders one example manifest (a CertificateDeployment or a DeploymentPolicy) for `t`.
 * `source` names the file it came from, for the header comment.
 */
export function renderExample(text: string, source: string, t: LocalTarget): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
  const kind = doc.get('kind');
  if (kind === 'CertificateDeployment') renderDeployment(doc, t);
  else if (kind === 'DeploymentPolicy') renderPolicy(doc, t);
  else throw new Error(`${source}: kind ${String(kind)} is neither CertificateDeployment nor DeploymentPolicy`);
  return HEADER(source) + doc.toString({ lineWidth: 0 });
}
