/**
 * Helpers for tests that talk to the shared real kube-apiserver: a KubeConfig for the admin
 * user, and a fresh namespace per test file (namespaces never finish deleting without a
 * controller manager, so tests never reuse or delete them).
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';

/** The admin KubeConfig of the control plane started by the global setup. */
export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(inject('kubeconfigPath'));
  return kc;
}

/** Creates a uniquely named namespace and returns its name. */
export async function createTestNamespace(prefix = 'test', kc = testKubeConfig()): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`.slice(0, 63);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name, labels: { 'certdeployer.io/test': 'true' } } } });
  return name;
}
