import { describe, expect, it } from 'vitest';
import { explainDenial } from '../../../src/cli/explain-denial.ts';
import type { DeploymentView } from '../../../src/cli/status-table.ts';
import { connectorsByName } from '../../../src/connectors/registry.ts';
import { parsePolicies } from '../../../src/controller/policy/policy-object.ts';

const ns = { name: 'shop', labels: { team: 'shop' } };
const ssh = { address: 'edge-1.internal:22', user: 'deploy', credentialsRef: { name: 'edge-key' }, hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey' };
const deployment = (reason: string, message = 'denied'): DeploymentView => ({
  metadata: { name: 'web', namespace: 'shop' },
  spec: { secretRef: { name: 'tls' }, targets: [{ name: 'edge', nginx: { host: { ssh }, certificatePath: '/etc/nginx/tls/web.crt', privateKeyPath: '/etc/nginx/tls/web.key' }, verify: { endpoints: [{ address: 'edge-1.internal:443' }], timeoutSeconds: 10 } }] },
  status: { targets: [{ name: 'edge', ready: false, reason, message }] },
});

describe('explain-denial (pure)', () => {
  it('lists what the SSH target lacks under a policy that only lists its host, and suggests a complete policy', () => {
    const policies = parsePolicies([{ metadata: { name: 'shop-hosts' }, spec: { namespaceSelector: { matchLabels: { team: 'shop' } }, hosts: [{ ssh: { address: 'edge-1.internal:22', hostKeys: [ssh.hostKey] }, pathRoots: ['/etc/nginx/tls'] }] } }]);
    const r = explainDenial(deployment('PolicyDenied'), ns, policies, connectorsByName);
    expect(r.ok).toBe(true);
    expect(r.text).toContain('Connector: nginx on ssh edge-1.internal:22');
    expect(r.text).toContain('- shop-hosts: hosts ssh edge-1.internal:22 pathRoots [/etc/nginx/tls]');
    expect(r.text).toContain('- credentials Secret edge-key');
    expect(r.text).toContain('credentialSecrets:');
    expect(r.text).toContain('- edge-1.internal:443');
    expect(r.text).toContain('- /usr/sbin/nginx');
  });

  it('a GrantDenied target whose policies allow it points at the --policy flag, not at a policy', () => {
    const policies = parsePolicies([{ metadata: { name: 'all' }, spec: { namespaces: ['shop'], unrestricted: true } }]);
    const r = explainDenial(deployment('GrantDenied', 'operator policy (--policy) does not allow: dial edge-1.internal:443'), ns, policies, connectorsByName);
    expect(r.text).toContain('Status says: operator policy (--policy) does not allow');
    expect(r.text).toMatch(/--policy flag caps it/);
    expect(r.text).not.toContain('apiVersion:');
  });

  it('nothing denied, or an unknown target', () => {
    expect(explainDenial(deployment('Deployed'), ns, [], connectorsByName).text).toContain('no target is denied');
    expect(explainDenial(deployment('Deployed'), ns, [], connectorsByName, 'nope')).toMatchObject({ ok: false });
  });
});
