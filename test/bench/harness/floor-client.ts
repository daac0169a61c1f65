/**
 * The floor: a bare client doing only the API calls and writes the controller cannot avoid for
 * a first deploy, with the controller's concurrency, so the controller's time reads as a ratio
 * to it. One LIST of the namespace's CertificateDeployments (to know the work), then per
 * deployment: GET its Secret, write the certificate and key files, PATCH its status (merge
 * patch, a status of the controller's shape). No informer, no policy, no verification.
 *   node floor-client.ts <kubeconfig> <namespace> <concurrency>
 * Prints one JSON line: deployments, ms (from its start), cpuSeconds, maxRssMiB.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

const t0 = performance.now();
const [kubeconfig, ns, conc] = process.argv.slice(2) as [string, string, string];
type Kc = { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[] };
const kc = parse(await readFile(kubeconfig, 'utf8')) as Kc;
const b = (s: string): string => Buffer.from(s, 'base64').toString();
const server = kc.clusters[0]!.cluster.server;
const agent = new Agent({ keepAlive: true, maxSockets: Number(conc), ca: b(kc.clusters[0]!.cluster['certificate-authority-data']), cert: b(kc.users[0]!.user['client-certificate-data']), key: b(kc.users[0]!.user['client-key-data']) });

function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(new URL(path, server), { method, agent, headers: data ? { 'content-type': 'application/merge-patch+json', 'content-length': Buffer.byteLength(data) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => (res.statusCode! < 300 ? resolve(JSON.parse(text) as T) : reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

type Cd = { metadata: { name: string; generation: number }; spec: { secretRef: { name: string }; targets: { name: string; file: { certificatePath: string; privateKeyPath: string } }[] } };
const cds = (await call<{ items: Cd[] }>('GET', `/apis/certdeployer.io/v1alpha1/namespaces/${ns}/certificatedeployments`)).items;
let next = 0;
await Promise.all(Array.from({ length: Number(conc) }, async () => {
  while (next < cds.length) {
    const cd = cds[next++]!;
    const secret = await call<{ metadata: { resourceVersion: string }; data: Record<string, string> }>('GET', `/api/v1/namespaces/${ns}/secrets/${cd.spec.secretRef.name}`);
    const t = cd.spec.targets[0]!;
    const crt = b(secret.data['tls.crt']!);
    await writeFile(t.file.certificatePath, crt, { mode: 0o644 });
    await writeFile(t.file.privateKeyPath, b(secret.data['tls.key']!), { mode: 0o600 });
    const fingerprint = createHash('sha256').update(new X509Certificate(crt).raw).digest('hex');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ready = { type: 'Ready', status: 'True', reason: 'Deployed', message: 'all 1 target(s) deployed', lastTransitionTime: now, observedGeneration: cd.metadata.generation };
    await call('PATCH', `/apis/certdeployer.io/v1alpha1/namespaces/${ns}/certificatedeployments/${cd.metadata.name}/status`, {
      status: {
        observedGeneration: cd.metadata.generation, fingerprint, secretResourceVersion: secret.metadata.resourceVersion, conditions: [ready],
        targets: [{ name: t.name, ready: true, fingerprint, observedGeneration: cd.metadata.generation, deployedAt: now, lastAttemptAt: now, reason: 'Deployed', message: 'deployed' }],
      },
    });
  }
}));
const ru = process.resourceUsage();
console.log(JSON.stringify({ deployments: cds.length, ms: Math.round(performance.now() - t0), cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6, maxRssMiB: Math.round(ru.maxRSS / 1024) }));
agent.destroy();
