import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeconfigError, leanCredentials, loadKubeConnection } from '../../../src/cli/kubeconfig.ts';
import { leanAccess } from '../../../src/controller/runtime/kube-access.ts';
import { MicroTime, objectPath } from '../../../src/controller/runtime/kube-rest.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const kubeconfig = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
  contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
  clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:6443/', 'certificate-authority-data': b64('CA PEM'), ...cluster } }],
  users: [{ name: 'u', user }],
});

describe('loadKubeConnection', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'cd-kc-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });
  const load = async (text: string) => {
    const path = join(dir, `kc-${Math.random().toString(16).slice(2)}`);
    await writeFile(path, text);
    return loadKubeConnection(path, { HOME: dir });
  };

  it('a client-certificate kubeconfig becomes the lean access (no client-node), server without trailing slash', async () => {
    const c = await load(kubeconfig({ 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }));
    expect('auth' in c && c.server).toBe('https://127.0.0.1:6443');
  });

  it('an exec plugin keeps client-node\'s KubeConfig (same behaviour as before)', async () => {
    const c = await load(kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/true' } }));
    expect('makeApiClient' in c).toBe(true);
  });

  it('a proxy-url cluster keeps client-node too', async () => {
    const c = await load(kubeconfig({ token: 't' }, { 'proxy-url': 'http://proxy:3128' }));
    expect('makeApiClient' in c).toBe(true);
  });

  it('the same checks and messages as before: no current context, no server', async () => {
    await expect(load(JSON.stringify({ clusters: [], contexts: [], users: [] }))).rejects.toThrow(/has no current-context/);
    await expect(load(kubeconfig({ token: 't' }, { server: 'not a url' }))).rejects.toThrow(/has no valid server URL/);
    await expect(loadKubeConnection(join(dir, 'absent'), { HOME: dir })).rejects.toBeInstanceOf(KubeconfigError);
  });
});

describe('leanCredentials', () => {
  it('reads relative files next to the kubeconfig and token-file once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cd-kc-'));
    try {
      await writeFile(join(dir, 'ca.pem'), 'CA');
      await writeFile(join(dir, 'tok'), 'secret-token\n');
      const raw = JSON.parse(kubeconfig({ 'token-file': 'tok' }, { 'certificate-authority-data': undefined, 'certificate-authority': 'ca.pem', 'tls-server-name': 'api' })) as Parameters<typeof leanCredentials>[0];
      const c = leanCredentials(raw, dir);
      expect(c).toMatchObject({ ca: 'CA', token: 'secret-token', tlsServerName: 'api', server: 'https://127.0.0.1:6443/' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('leanAccess', () => {
  it('uses ONE dispatcher for every request (keep-alive, one TLS session) and sends the bearer token', async () => {
    const a = leanAccess({ server: 'https://h:1', token: 'abc' });
    const [x, y] = [await a.auth(), await a.auth()];
    expect(x.dispatcher).toBe(y.dispatcher);
    expect(x.headers).toEqual({ Authorization: 'Bearer abc' });
  });

  it('re-reads a token file after a minute, not before (projected tokens rotate)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cd-kc-'));
    try {
      const file = join(dir, 'token');
      await writeFile(file, 'one');
      let now = 0;
      const a = leanAccess({ server: 'https://h:1', tokenFile: file }, () => now);
      expect((await a.auth()).headers.Authorization).toBe('Bearer one');
      await writeFile(file, 'two');
      now = 59_000;
      expect((await a.auth()).headers.Authorization).toBe('Bearer one');
      now = 60_000;
      expect((await a.auth()).headers.Authorization).toBe('Bearer two');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('kube-rest helpers', () => {
  it('MicroTime serializes with six fractional digits (Leases and Events reject fewer)', () => {
    expect(JSON.stringify({ t: new MicroTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)) })).toBe('{"t":"2026-01-02T03:04:05.678000Z"}');
  });

  it('objectPath builds core and group paths with subresources', () => {
    expect(objectPath({ version: 'v1', plural: 'secrets', namespace: 'a', name: 's' })).toBe('/api/v1/namespaces/a/secrets/s');
    expect(objectPath({ group: 'certdeployer.io', version: 'v1alpha1', plural: 'certificatedeployments', namespace: 'a', name: 'd', subresource: 'status' })).toBe('/apis/certdeployer.io/v1alpha1/namespaces/a/certificatedeployments/d/status');
  });
});
