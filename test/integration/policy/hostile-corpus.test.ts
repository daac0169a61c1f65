/**
 * A hostile corpus run end to end through the real controller on the real control plane: each
 * case is one CertificateDeployment a tenant might write to get past the boundary. Every case
 * must end in its specific reason (PolicyDenied naming the item, GrantDenied for the --policy
 * upper bound, or the apiserver refusing the object at admission), nothing may appear outside
 * the grant, no command may run (every reload touches a marker below MARK), and afterwards the
 * controller must still deploy a legitimate target.
 *
 * Symlink and hard-link cases here are the ones decided by policy on this branch (the link lives
 * outside the granted root, so the lexical check refuses it). Links INSIDE a granted root are the
 * sandbox's job (canonical paths, O_NOFOLLOW) and are tested with the sandbox.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintChain, type MintedChain } from '../../support/certs/index.ts';
import { createDeployment, eventually, kubeClients, putTlsSecret, readyOf, startController, type RunningController } from '../../support/controller-harness.ts';
import { deletePolicy, putPolicy } from '../../support/policy-fixtures.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';
import { filesBelow, labelledNamespace, targetReason } from './policy-test-kit.ts';

const kubeconfig = inject('kubeconfigPath');
const { core, objects } = kubeClients(kubeconfig);
let ctl: RunningController;
let ssh: Sshd;
let other: Sshd;
let chain: MintedChain;
let dir = '';
const ns: Record<'corpus' | 'none' | 'label' | 'sshOnly', string> = { corpus: '', none: '', label: '', sshOnly: '' };
const policies = [`corpus-${process.pid}`, `label-${process.pid}`, `ssh-only-${process.pid}`, `elsewhere-${process.pid}`];

const G = () => join(dir, 'granted');
const OUT = () => join(dir, 'out');
const MARK = () => join(dir, 'mark');
const GRANTED_RELOAD = () => ['/usr/bin/touch', join(G(), 'reloaded')];

type Ns = keyof typeof ns;
/** A case: the target a tenant writes, and what must happen to it. */
interface Case {
  readonly id: string;
  readonly ns: Ns;
  readonly target: () => Record<string, unknown>;
  /** Target status reason and message, or the admission error. */
  readonly expect: { readonly reason: 'PolicyDenied' | 'GrantDenied'; readonly message: RegExp } | { readonly admission: RegExp } | { readonly invalidSpec: RegExp };
}

const file = (over: Record<string, unknown>) => ({ file: { host: { local: {} }, certificatePath: join(G(), 'c.crt'), privateKeyPath: join(G(), 'c.key'), ...over } });
const reload = (id: string, argv: string[]) => ({ reload: { argv: argv.map((a) => a.replace('MARKER', join(MARK(), id))) } });
const sshTo = (s: () => Sshd, over: Record<string, unknown> = {}) => ({ ssh: { address: s().address, user: s().user, credentialsRef: { name: 'a-ssh' }, hostKey: s().hostKey.publicLine, ...over } });
const denied = (message: RegExp) => ({ reason: 'PolicyDenied' as const, message });

const CASES: Case[] = [
  // Paths on the operator pod (local host, granted root G).
  { id: 'path-outside', ns: 'corpus', target: () => file({ certificatePath: join(OUT(), 'a.crt'), privateKeyPath: join(OUT(), 'a.key') }), expect: denied(/write .*\/out\/a\.crt/) },
  { id: 'path-sibling-prefix', ns: 'corpus', target: () => file({ certificatePath: `${G()}-evil/a.crt`, privateKeyPath: `${G()}-evil/a.key` }), expect: denied(/granted-evil\/a\.crt/) },
  { id: 'path-dotdot', ns: 'corpus', target: () => file({ certificatePath: `${G()}/../out/b.crt`, privateKeyPath: `${G()}/../out/b.key` }), expect: denied(/write .*granted\/\.\.\/out\/b\.crt/) },
  { id: 'key-outside-cert-inside', ns: 'corpus', target: () => file({ certificatePath: join(G(), 'half.crt'), privateKeyPath: join(OUT(), 'half.key') }), expect: denied(/write .*\/out\/half\.key/) },
  { id: 'ca-outside', ns: 'corpus', target: () => file({ certificatePath: join(G(), 'ca1.crt'), privateKeyPath: join(G(), 'ca1.key'), caPath: join(OUT(), 'ca.pem') }), expect: denied(/write .*\/out\/ca\.pem/) },
  { id: 'path-root-itself-parent', ns: 'corpus', target: () => file({ certificatePath: join(dir, 'c.crt'), privateKeyPath: join(dir, 'c.key') }), expect: denied(/write .*\/c\.crt/) },
  { id: 'symlink-outside-into-root', ns: 'corpus', target: () => file({ certificatePath: join(OUT(), 'link-to-granted', 's.crt'), privateKeyPath: join(OUT(), 'link-to-granted', 's.key') }), expect: denied(/link-to-granted\/s\.crt/) },
  { id: 'hardlink-outside-to-granted-file', ns: 'corpus', target: () => file({ certificatePath: join(G(), 'h.crt'), privateKeyPath: join(OUT(), 'hardlink.key') }), expect: denied(/out\/hardlink\.key/) },
  { id: 'path-proc-self', ns: 'corpus', target: () => file({ certificatePath: '/proc/self/cwd/x.crt', privateKeyPath: '/proc/self/cwd/x.key' }), expect: denied(/write \/proc\/self\/cwd\/x\.crt/) },
  // Commands on the operator pod.
  { id: 'exec-shell', ns: 'corpus', target: () => file(reload('exec-shell', ['/bin/sh', '-c', 'touch MARKER'])), expect: denied(/exec \[\/bin\/sh -c touch/) },
  { id: 'exec-relative-program', ns: 'corpus', target: () => file(reload('exec-relative-program', ['touch', 'MARKER'])), expect: { admission: /argv\[0\] must be the absolute path/ } }, // refused by the CRD since programs must be absolute
  { id: 'exec-granted-program-other-args', ns: 'corpus', target: () => file(reload('exec-granted-program-other-args', ['/usr/bin/touch', 'MARKER'])), expect: denied(/exec \[\/usr\/bin\/touch .*mark/) },
  { id: 'exec-extra-arg', ns: 'corpus', target: () => file(reload('exec-extra-arg', [...GRANTED_RELOAD(), 'MARKER'])), expect: denied(/exec \[\/usr\/bin\/touch .*reloaded .*mark/) },
  { id: 'exec-noncanonical-program', ns: 'corpus', target: () => file(reload('exec-noncanonical-program', ['/usr/bin/../bin/touch', join(G(), 'reloaded')])), expect: { invalidSpec: /argv\[0\] must be the absolute path/ } }, // not lexically normal: the controller's schema refuses the spec
  { id: 'exec-other-spelling', ns: 'corpus', target: () => file(reload('exec-other-spelling', ['/bin/touch', join(G(), 'reloaded')])), expect: denied(/exec \[\/bin\/touch/) },
  { id: 'exec-env-wrapper', ns: 'corpus', target: () => file(reload('exec-env-wrapper', ['/usr/bin/env', 'sh', '-c', 'touch MARKER'])), expect: denied(/exec \[\/usr\/bin\/env sh -c/) },
  { id: 'exec-nginx-defaults', ns: 'corpus', target: () => ({ nginx: { host: { local: {} }, certificatePath: join(G(), 'n.crt'), privateKeyPath: join(G(), 'n.key') } }), expect: denied(/exec \[\/usr\/sbin\/nginx -t\]/) },
  { id: 'exec-haproxy-defaults', ns: 'corpus', target: () => ({ haproxy: { host: { local: {} }, certificatePath: join(G(), 'hp.pem'), reload: {} } }), expect: denied(/exec \[\/usr\/bin\/systemctl reload haproxy\]/) },
  // Dials.
  { id: 'verify-unlisted', ns: 'corpus', target: () => ({ ...file({}), verify: { endpoints: [{ address: 'evil.example.test:443' }] } }), expect: denied(/dial evil\.example\.test:443/) },
  { id: 'verify-metadata', ns: 'corpus', target: () => ({ ...file({}), verify: { endpoints: [{ address: '169.254.169.254:80' }] } }), expect: denied(/dial 169\.254\.169\.254:80/) },
  { id: 'verify-apiserver', ns: 'corpus', target: () => ({ ...file({}), verify: { endpoints: [{ address: 'kubernetes.default.svc:443' }] } }), expect: denied(/dial kubernetes\.default\.svc:443/) },
  // SSH.
  { id: 'ssh-unlisted-host', ns: 'corpus', target: () => file({ host: sshTo(() => other) }), expect: denied(/allows host ssh 127\.0\.0\.1/) },
  { id: 'ssh-tofu', ns: 'corpus', target: () => file({ host: sshTo(() => ssh, { hostKey: undefined, trustOnFirstUse: true }) }), expect: denied(/trust on first use is not allowed/) },
  { id: 'ssh-wrong-host-key', ns: 'corpus', target: () => file({ host: sshTo(() => ssh, { hostKey: other.hostKey.publicLine }) }), expect: denied(/pinned host key is not among the hostKeys/) },
  { id: 'ssh-unlisted-secret', ns: 'corpus', target: () => file({ host: sshTo(() => ssh, { credentialsRef: { name: 'b-ssh' } }) }), expect: denied(/credentials Secret b-ssh/) },
  { id: 'ssh-path-outside', ns: 'corpus', target: () => file({ host: sshTo(() => ssh), certificatePath: join(OUT(), 'r.crt'), privateKeyPath: join(OUT(), 'r.key') }), expect: denied(/write .*\/out\/r\.crt/) },
  { id: 'ssh-address-respelled', ns: 'corpus', target: () => file({ host: sshTo(() => ssh, { address: `localhost:${ssh.port}` }) }), expect: denied(/allows host ssh localhost:/) },
  { id: 'ssh-to-apiserver-port', ns: 'corpus', target: () => file({ host: sshTo(() => ssh, { address: '127.0.0.1:6443' }) }), expect: denied(/allows host ssh 127\.0\.0\.1:6443/) },
  { id: 'ssh-exec-shell', ns: 'corpus', target: () => file({ host: sshTo(() => ssh), ...reload('ssh-exec-shell', ['/bin/sh', '-c', 'touch MARKER']) }), expect: denied(/exec \[\/bin\/sh -c/) },
  // Network-only connectors: endpoints, credentials, ambient identity.
  { id: 'acm-unlisted-secret', ns: 'corpus', target: () => ({ awsAcm: { region: 'us-east-1', credentialsRef: { name: 'aws' } } }), expect: denied(/credentials Secret aws/) },
  { id: 'acm-ambient', ns: 'corpus', target: () => ({ awsAcm: { region: 'us-east-1' } }), expect: denied(/dial acm\.us-east-1\.amazonaws\.com:443/) },
  { id: 'azure-vault-unlisted', ns: 'corpus', target: () => ({ azureKeyVault: { vaultUrl: 'https://evil.vault.azure.net', certificateName: 'x', credentialsRef: { name: 'a-ssh' } } }), expect: denied(/dial evil\.vault\.azure\.net:443/) },
  { id: 'gcp-endpoint-unlisted', ns: 'corpus', target: () => ({ gcpCertificateManager: { project: 'my-project', certificateId: 'c', endpoint: 'https://evil.example.test', credentialsRef: { name: 'a-ssh' } } }), expect: denied(/dial evil\.example\.test:443/) },
  { id: 'f5-unlisted', ns: 'corpus', target: () => ({ f5BigIp: { address: 'bigip.evil.test:443', clientSslProfile: 'p', credentialsRef: { name: 'a-ssh' } } }), expect: denied(/dial bigip\.evil\.test:443/) },
  { id: 'iis-unlisted', ns: 'corpus', target: () => ({ iis: { address: 'iis.evil.test:5986', credentialsRef: { name: 'a-ssh' }, siteName: 'Default Web Site' } }), expect: denied(/dial iis\.evil\.test:5986/) },
  // Namespaces the corpus policy does not select.
  { id: 'no-policy-local', ns: 'none', target: () => file({}), expect: denied(/no DeploymentPolicy selects namespace no-policy-/) },
  { id: 'no-policy-local-shell', ns: 'none', target: () => file(reload('no-policy-local-shell', ['/bin/sh', '-c', 'touch MARKER'])), expect: denied(/no DeploymentPolicy selects .*exec \[\/bin\/sh/) },
  { id: 'no-policy-acm', ns: 'none', target: () => ({ awsAcm: { region: 'us-east-1' } }), expect: denied(/no DeploymentPolicy selects namespace .*dial acm/) },
  { id: 'label-mismatch', ns: 'label', target: () => file({}), expect: denied(/no DeploymentPolicy selects namespace label-/) },
  { id: 'ssh-only-policy-local', ns: 'sshOnly', target: () => file({}), expect: denied(/allows host local \(the operator pod\)/) },
  { id: 'ssh-only-policy-granted-host-other-root', ns: 'sshOnly', target: () => file({ host: sshTo(() => ssh) }), expect: denied(/write .*granted\/c\.crt/) },
  // The --policy flag (upper bound) over a policy that would allow it.
  { id: 'flag-bounds-policy', ns: 'corpus', target: () => file({ certificatePath: join(G(), 'capped', 'x.crt'), privateKeyPath: join(G(), 'capped', 'x.key') }), expect: { reason: 'GrantDenied', message: /--policy.*capped\/x\.crt/ } },
  // Refused by the apiserver at admission: nothing reaches the controller.
  { id: 'admission-relative-path', ns: 'corpus', target: () => file({ certificatePath: 'etc/x.crt' }), expect: { admission: /should match '\^\/'|must be an absolute path|certificatePath/ } },
  { id: 'admission-local-and-ssh', ns: 'corpus', target: () => file({ host: { local: {}, ...sshTo(() => ssh) } }), expect: { admission: /exactly one of local or ssh/ } },
  { id: 'admission-ssh-unpinned', ns: 'corpus', target: () => file({ host: sshTo(() => ssh, { hostKey: undefined }) }), expect: { admission: /ssh\.hostKey is required/ } },
  { id: 'admission-port-range', ns: 'corpus', target: () => ({ ...file({}), verify: { endpoints: [{ address: 'h:70000' }] } }), expect: { admission: /port must be between 1 and 65535/ } },
  { id: 'admission-same-paths', ns: 'corpus', target: () => ({ nginx: { host: { local: {} }, certificatePath: join(G(), 'same.pem'), privateKeyPath: join(G(), 'same.pem') } }), expect: { admission: /certificatePath and privateKeyPath must differ/ } },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cd-corpus-'));
  for (const d of [G(), join(G(), 'ok'), OUT(), MARK()]) await mkdir(d, { recursive: true });
  await symlink(G(), join(OUT(), 'link-to-granted'));
  await writeFile(join(G(), 'victim.key'), 'precious');
  await link(join(G(), 'victim.key'), join(OUT(), 'hardlink.key'));
  chain = await mintChain({ name: 'Corpus' });
  [ssh, other] = await Promise.all([startSshd(), startSshd()]);
  ns.corpus = await labelledNamespace(core, 'corpus');
  ns.none = await labelledNamespace(core, 'no-policy');
  ns.label = await labelledNamespace(core, 'label', { team: 'x' });
  ns.sshOnly = await labelledNamespace(core, 'ssh-only');
  for (const n of Object.values(ns)) {
    await putTlsSecret(core, n, 'tls', chain.leafPem, chain.keyPem);
    for (const [name, s] of [['a-ssh', ssh], ['b-ssh', other]] as const) {
      await core.createNamespacedSecret({ namespace: n, body: { metadata: { name }, type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': s.clientKey.privateKey } } });
    }
  }
  const sshItem = { ssh: { address: ssh.address, hostKeys: [ssh.hostKey.publicLine] }, pathRoots: [G()] };
  await putPolicy(objects, policies[0]!, { namespaces: [ns.corpus], hosts: [{ local: {}, pathRoots: [G()], commands: [GRANTED_RELOAD()] }, sshItem], credentialSecrets: ['a-ssh'] });
  await putPolicy(objects, policies[1]!, { namespaceSelector: { matchLabels: { team: 'y' } }, hosts: [{ local: {}, pathRoots: ['/'] }] });
  await putPolicy(objects, policies[2]!, { namespaces: [ns.sshOnly], hosts: [{ ssh: sshItem.ssh, pathRoots: [join(G(), 'ssh-only')] }], credentialSecrets: ['a-ssh'] });
  await putPolicy(objects, policies[3]!, { namespaces: ['some-other-namespace'], unrestricted: true });
  // The upper bound: G only, minus G/capped (pathRoots cannot subtract, so list what stays).
  ctl = startController(kubeconfig, { namespaces: Object.values(ns), policy: { pathRoots: [join(G(), 'c.crt'), join(G(), 'c.key'), join(G(), 'h.crt'), join(G(), 'half.crt'), join(G(), 'ca1.crt'), join(G(), 'ca1.key'), join(G(), 'n.crt'), join(G(), 'n.key'), join(G(), 'hp.pem'), join(G(), 'ok'), join(G(), 'ssh-only')], ambientCloudIdentity: false } }, { allowAll: false });
}, 120_000);

afterAll(async () => {
  await ctl?.stop();
  for (const p of policies) await deletePolicy(objects, p);
  await Promise.all([ssh?.stop(), other?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe(`hostile corpus (${CASES.length} cases) through the controller`, () => {
  it('has at least 40 cases with unique ids', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.id, c] as const))('%s', async (id, c) => {
    const target = { name: 't', ...c.target() };
    const create = createDeployment(objects, ns[c.ns], id, { secretRef: { name: 'tls' }, targets: [target] });
    if ('admission' in c.expect) {
      const err = await create.then(() => undefined, (e: unknown) => e as { code?: number; body?: unknown });
      expect(err, 'the apiserver must refuse the object').toBeDefined();
      expect(err?.code).toBe(422);
      expect(typeof err?.body === 'string' ? err.body : JSON.stringify(err?.body)).toMatch(c.expect.admission);
      return;
    }
    await create;
    if ('invalidSpec' in c.expect) {
      const pattern = c.expect.invalidSpec;
      const r = await eventually(async () => {
        const got = await readyOf(objects, ns[c.ns], id);
        return got?.reason === 'InvalidSpec' ? got : undefined;
      }, 30_000, `${id} InvalidSpec`);
      expect(r.message).toMatch(pattern);
      return;
    }
    const want = c.expect;
    const st = await targetReason(objects, ns[c.ns], id, 't', (t) => t.reason === want.reason, 30_000);
    expect(st.ready).toBe(false);
    expect(st.message).toMatch(want.message);
  });

  it('nothing was written outside the grant and no command ran', async () => {
    expect(await filesBelow(MARK())).toEqual([]);
    expect(await filesBelow(OUT())).toEqual(['hardlink.key', 'link-to-granted']);
    expect(await readFile(join(OUT(), 'hardlink.key'), 'utf8')).toBe('precious');
    expect(await filesBelow(G())).toEqual(['victim.key']);
    expect(existsSync(`${G()}-evil`)).toBe(false);
    expect(existsSync(join(dir, 'c.crt'))).toBe(false);
  });

  it('the controller keeps working: a legitimate target deploys and runs its granted reload', async () => {
    await createDeployment(objects, ns.corpus, 'legit', {
      secretRef: { name: 'tls' },
      targets: [{ name: 't', file: { host: { local: {} }, certificatePath: join(G(), 'ok', 'x.crt'), privateKeyPath: join(G(), 'ok', 'x.key'), reload: { argv: GRANTED_RELOAD() } } }],
    });
    expect(await targetReason(objects, ns.corpus, 'legit', 't', (t) => t.ready)).toMatchObject({ reason: 'Deployed', policies: [policies[0]] });
    expect(existsSync(join(G(), 'reloaded'))).toBe(true);
    expect(await filesBelow(MARK())).toEqual([]);
  });
});
