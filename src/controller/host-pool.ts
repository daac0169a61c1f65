/**
 * Hosts that sandboxes run on: one local host, and SSH hosts keyed by everything that
 * identifies a connection (address, user, pinned key, credentials Secret and its version), so
 * a rotated SSH key or a changed pin opens a new connection and the old one is closed.
 */
import type { HostConfig } from '@cert-deployer/connector-sdk';
import { CertDeployerError, ErrorCode } from '@cert-deployer/connector-sdk/sandbox';
import type { Host } from '@cert-deployer/connector-sdk/sandbox';
import { LocalHost } from '@cert-deployer/connector-sdk/sandbox';
import { SshHost } from '@cert-deployer/connector-sdk/sandbox';
import type { KubePort } from './kube-port.ts';

export interface HostPool {
  readonly local: Host;
  /** The host a target's configuration names (local when it names none). Do not close it. */
  hostFor(namespace: string, config: HostConfig | undefined, signal: AbortSignal): Promise<Host>;
  /**
   * The known-host line accepted by trust on first use for this configuration, once a
   * connection was made; status reports it so a human can pin it. Public key, not a secret.
   */
  observedHostKey(namespace: string, config: HostConfig | undefined): string | undefined;
  close(): Promise<void>;
}

/** Secret keys of a kubernetes.io/ssh-auth Secret. */
export const SSH_PRIVATE_KEY = 'ssh-privatekey';
export const SSH_PASSPHRASE = 'passphrase';

/** Creates the pool; SSH credentials are read through `kube` when a connection is opened. */
export function createHostPool(kube: Pick<KubePort, 'getSecret'>): HostPool {
  const local = new LocalHost();
  const ssh = new Map<string, { version: string; host: SshHost }>();
  const observed = new Map<string, string>();
  const idOf = (namespace: string, c: NonNullable<HostConfig['ssh']>) => JSON.stringify([namespace, c.address, c.user, c.hostKey ?? '', c.credentialsRef.name]);
  return {
    local,
    observedHostKey(namespace, config) {
      return config?.ssh ? observed.get(idOf(namespace, config.ssh)) : undefined;
    },
    async hostFor(namespace, config) {
      if (!config?.ssh) return local;
      const c = config.ssh;
      const secret = await kube.getSecret(namespace, c.credentialsRef.name);
      const key = secret?.data?.[SSH_PRIVATE_KEY];
      if (!secret || !key) {
        throw new CertDeployerError(ErrorCode.Connector, `SSH credentials Secret ${namespace}/${c.credentialsRef.name} not found or has no ${SSH_PRIVATE_KEY}`, { retryable: true });
      }
      const id = idOf(namespace, c);
      const version = secret.metadata.resourceVersion ?? '';
      const cached = ssh.get(id);
      if (cached && cached.version === version) return cached.host;
      if (cached) void cached.host.close();
      const pass = secret.data?.[SSH_PASSPHRASE];
      const host = new SshHost({
        address: c.address,
        user: c.user,
        privateKey: Buffer.from(key, 'base64').toString('utf8'),
        ...(pass ? { passphrase: Buffer.from(pass, 'base64').toString('utf8') } : {}),
        ...(c.hostKey ? { hostKey: c.hostKey } : {}),
        ...(c.trustOnFirstUse ? { trustOnFirstUse: true, onHostKeyObserved: (line: string, fp: string) => observed.set(id, `${line} (${fp})`) } : {}),
      });
      ssh.set(id, { version, host });
      return host;
    },
    async close() {
      await Promise.all([...ssh.values()].map((h) => h.host.close()));
      ssh.clear();
      await local.close();
    },
  };
}
