/**
 * What a web-server connector must do to a REAL server, beyond the conformance cases: the
 * certificate a client sees after deploy and rotation, a broken configuration and a failing
 * reload leaving the previous certificate served (with the server's own words in the error),
 * a mismatched key refused before the server sees it, and a replay costing zero writes and
 * zero reloads — counted twice: by the counting sandbox (what the connector asked for) and by
 * the server's own log (reload signals it received).
 *
 * Every case runs against a fresh server on the local host or through a real sshd; the server
 * is addressed by its exact argv. `describeServerConnector` registers the cases for one server.
 */
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, DeployResult } from '../../../packages/connector-sdk/src/connector.ts';
import type { Deployment } from '../../../packages/connector-sdk/src/deployment.ts';
import type { HostConfig } from '../../../packages/connector-sdk/src/host-config.ts';
import { CertDeployerError } from '../../../packages/connector-sdk/src/sandbox/errors.ts';
import { createSandbox } from '../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import type { Host } from '../../../packages/connector-sdk/src/sandbox/host/host.ts';
import { LocalHost } from '../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { CountingSandbox } from '../../../packages/connector-sdk/src/conformance/counting-sandbox.ts';
import { mintCredential, type TestCredential } from '../../../packages/connector-sdk/src/conformance/credentials.ts';
import { keyMaterialLeaks } from '../certs/index.ts';
import { sshHostFor } from '../sshd/ssh-host-for.ts';
import { startSshd, type Sshd } from '../../../packages/connector-sdk/src/testing/sshd.ts';
import { waitUntilChain, settledLeaf, waitUntilServed } from './tls-served.ts';
import { startWebServer, type ServerSpec, type TlsFiles, type WebServer } from './web-server.ts';

/** What a connector block gets for one server in these cases. */
export interface ServerBlockInput {
  readonly host: HostConfig;
  readonly files: TlsFiles;
  readonly configTest: readonly string[];
  readonly reload: readonly string[];
}

export interface ServerConnectorCases {
  readonly spec: ServerSpec;
  /** Builds the connector through its registry schema. */
  create(input: ServerBlockInput): Connector;
  /** Use a separate chain file (Apache's SSLCertificateChainFile). */
  readonly chainFile?: boolean;
  /** Text for the include inside the TLS server block that the config test refuses. */
  readonly brokenDirective: string;
  /** The server's own words for that refusal, as they must appear in the error. */
  readonly brokenMessage: RegExp;
  /** The server's own words when its reload cannot find the running server (pid file gone). */
  readonly reloadFailureMessage: RegExp;
  /** A line the server logs once per reload signal it receives. */
  readonly reloadLogLine: RegExp;
  /** Where to run the cases; default both the local host and a real sshd. */
  readonly hosts?: readonly ('local' | 'ssh')[];
}

const SNI = 'conformance.example.test';
/** Generous: two cores shared with other test runs; nothing asserts on time. */
const CASE_TIMEOUT_MS = 90_000;

interface HostSetup {
  readonly name: string;
  start(): Promise<{ host: Host; config: HostConfig; stop(): Promise<void> }>;
}

const LOCAL: HostSetup = {
  name: 'local host',
  async start() {
    const host = new LocalHost();
    return { host, config: { local: {} }, stop: () => host.close() };
  },
};

const SSH: HostSetup = {
  name: 'ssh (real sshd)',
  async start() {
    const sshd: Sshd = await startSshd();
    const host = sshHostFor(sshd);
    const config = { ssh: { address: sshd.address, user: sshd.user, credentialsRef: { name: 'ssh' }, hostKey: sshd.hostKey.publicLine } };
    return {
      host,
      config,
      async stop() {
        await host.close();
        await sshd.stop();
      },
    };
  },
};

type Outcome = { ok: true; result: DeployResult; sandbox: CountingSandbox } | { ok: false; error: unknown; sandbox: CountingSandbox };

/** Registers the cases for one server kind, on the local host and over SSH. */
export function describeServerConnector(cases: ServerConnectorCases): void {
  const setups = { local: LOCAL, ssh: SSH };
  for (const hostSetup of (cases.hosts ?? ['local', 'ssh']).map((h) => setups[h])) {
    describe(`${cases.spec.kind} connector on a real ${cases.spec.kind} (${hostSetup.name})`, { timeout: CASE_TIMEOUT_MS }, () => {
      let host: Host;
      let hostConfig: HostConfig;
      let stopHost: () => Promise<void> = async () => undefined;
      const servers: WebServer[] = [];
      const dirs: string[] = [];

      beforeAll(async () => {
        const h = await hostSetup.start();
        host = h.host;
        hostConfig = h.config;
        stopHost = h.stop;
      }, 60_000);
      afterAll(async () => {
        await Promise.all(servers.map((s) => s.stop()));
        await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
        await stopHost();
      }, 60_000);

      async function newServer(): Promise<WebServer> {
        const dir = await mkdtemp(join(tmpdir(), `cd-${cases.spec.kind}-case-`));
        dirs.push(dir);
        const files = {
          certificatePath: join(dir, 'site.crt'),
          privateKeyPath: join(dir, 'site.key'),
          ...(cases.chainFile === true ? { chainPath: join(dir, 'chain.crt') } : {}),
        };
        const server = await startWebServer(cases.spec, { files, dir: join(dir, 'server') });
        servers.push(server);
        return server;
      }

      const block = (server: WebServer, over: Partial<ServerBlockInput> = {}): ServerBlockInput => ({
        host: hostConfig,
        files: server.files,
        configTest: server.configTestArgv,
        reload: server.reloadArgv,
        ...over,
      });

      async function deploy(server: WebServer, dep: Deployment, over: Partial<ServerBlockInput> = {}): Promise<Outcome> {
        const connector = cases.create(block(server, over));
        const checked = createSandbox({ grant: connector.capabilities(), host });
        const sandbox = new CountingSandbox(checked);
        try {
          return { ok: true, result: await connector.deploy(new AbortController().signal, sandbox, dep, { ownerId: 'test/target' }), sandbox };
        } catch (error) {
          return { ok: false, error, sandbox };
        } finally {
          await checked.close();
        }
      }

      async function mustDeploy(server: WebServer, cred: TestCredential): Promise<void> {
        const o = await deploy(server, cred.deployment);
        if (!o.ok) throw new Error(`deploy failed: ${String(o.error)}`, { cause: o.error });
        expect(await waitUntilServed(server.address, SNI, cred.deployment.fingerprint)).toBe(cred.deployment.fingerprint);
      }

      const reloadsLogged = async (server: WebServer): Promise<number> => (await server.errorLog()).split('\n').filter((l) => cases.reloadLogLine.test(l)).length;

      it('deploy: a TLS handshake shows the new certificate and its chain', async () => {
        const server = await newServer();
        const cred = await mintCredential({ name: 'Deploy', intermediates: 2 });
        const o = await deploy(server, cred.deployment);
        expect(o.ok && o.result.changed).toBe(true);
        expect(await waitUntilServed(server.address, SNI, cred.deployment.fingerprint)).toBe(cred.deployment.fingerprint);
        expect(await waitUntilChain(server.address, SNI, cred.chainFingerprints)).toEqual(cred.chainFingerprints);
      });

      it('rotate: the next certificate is served', async () => {
        const server = await newServer();
        const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B', keyAlgorithm: 'rsa' })]);
        await mustDeploy(server, a);
        const o = await deploy(server, b.deployment);
        expect(o.ok && o.result.changed).toBe(true);
        expect(await waitUntilServed(server.address, SNI, b.deployment.fingerprint)).toBe(b.deployment.fingerprint);
      });

      it('replay: zero writes and zero reloads, by the sandbox count and by the server log', async () => {
        const server = await newServer();
        const a = await mintCredential({ name: 'Replay' });
        await mustDeploy(server, a);
        const before = await reloadsLogged(server);
        expect(before, 'the first deploy reloaded the server once').toBe(1);
        const replay = await deploy(server, a.deployment);
        expect(replay.ok && replay.result.changed).toBe(false);
        const c = replay.sandbox.calls;
        expect({ writes: c.writeFile.attempted, restores: c.restoreFile.attempted, execs: c.exec.attempted }).toEqual({ writes: 0, restores: 0, execs: 0 });
        // The server would log a reload a moment after the signal; give it that moment.
        await settledLeaf(server.address, SNI);
        expect(await reloadsLogged(server)).toBe(before);
      });

      it('a configuration the server refuses: DeployFailed with its own message, previous files and certificate kept', async () => {
        const server = await newServer();
        const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
        await mustDeploy(server, a);
        const reloads = await reloadsLogged(server);
        await server.setExtraDirectives(cases.brokenDirective);
        const o = await deploy(server, b.deployment);
        expect(o.ok).toBe(false);
        if (o.ok) return;
        expect(o.error).toBeInstanceOf(CertDeployerError);
        expect((o.error as CertDeployerError).retryable).toBe(false);
        expect((o.error as Error).message).toMatch(/^config test failed \(previous files restored\): /);
        expect((o.error as Error).message).toMatch(cases.brokenMessage);
        expect(o.sandbox.calls.exec.attempted, 'no reload after a refused config test').toBe(1);
        expect(await settledLeaf(server.address, SNI)).toBe(a.deployment.fingerprint);
        expect(await reloadsLogged(server)).toBe(reloads);
        // The files are A's again, so the fixed configuration takes B on the next deploy.
        await server.setExtraDirectives('');
        await mustDeploy(server, b);
      });

      it('a config test argv that fails (wrong configuration path): the server says why, nothing changes', async () => {
        const server = await newServer();
        const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
        await mustDeploy(server, a);
        const missing = join(server.dir, 'missing.conf');
        const configTest = server.configTestArgv.map((arg) => (arg === server.configPath ? missing : arg));
        const o = await deploy(server, b.deployment, { configTest });
        expect(o.ok).toBe(false);
        if (!o.ok) expect((o.error as Error).message).toContain(missing);
        expect(await settledLeaf(server.address, SNI)).toBe(a.deployment.fingerprint);
      });

      it('a failing reload: files restored, reloaded again, previous certificate served, the server says why', async () => {
        const server = await newServer();
        const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
        await mustDeploy(server, a);
        // The server is running (it serves A), but its reload cannot find it: the pid file is gone.
        const hidden = `${server.pidPath}.hidden`;
        await rename(server.pidPath, hidden);
        try {
          const o = await deploy(server, b.deployment);
          expect(o.ok).toBe(false);
          if (o.ok) return;
          expect((o.error as CertDeployerError).retryable).toBe(false);
          expect((o.error as Error).message).toMatch(/^reload failed \(previous files restored, but the reload after restore failed too: /);
          expect((o.error as Error).message).toMatch(cases.reloadFailureMessage);
          expect(o.sandbox.calls.restoreFile.completed).toBe(cases.chainFile === true ? 3 : 2);
          expect(await settledLeaf(server.address, SNI)).toBe(a.deployment.fingerprint);
          expect(server.alive()).toBe(true);
        } finally {
          await rename(hidden, server.pidPath);
        }
        await mustDeploy(server, b);
      });

      it('a key that does not match the certificate is refused before anything is written', async () => {
        const server = await newServer();
        const [a, b] = await Promise.all([mintCredential({ name: 'A' }), mintCredential({ name: 'B' })]);
        await mustDeploy(server, a);
        const mismatched: Deployment = { ...b.deployment, privateKey: a.deployment.privateKey };
        const o = await deploy(server, mismatched);
        expect(o.ok).toBe(false);
        if (o.ok) return;
        expect((o.error as CertDeployerError).retryable).toBe(false);
        expect((o.error as Error).message).toMatch(/KeyMismatch/);
        expect(o.sandbox.calls.writeFile.attempted + o.sandbox.calls.exec.attempted).toBe(0);
        expect(keyMaterialLeaks([(o.error as Error).message, String((o.error as Error).stack)], [a.keyPem])).toEqual([]);
        expect(await settledLeaf(server.address, SNI)).toBe(a.deployment.fingerprint);
        expect(server.alive()).toBe(true);
      });
    });
  }
}
