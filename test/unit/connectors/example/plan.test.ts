/**
 * The template's pure half: what it plans to write and run, and the grant that follows from
 * the block. The I/O half (write → config test → reload → rollback) is the shared
 * `applyServerFiles`, exercised by the conformance runs next to this file.
 */
import { describe, expect, it } from 'vitest';
import { exampleConnector, planExample } from '../../../../src/connectors/example/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';

const block = { host: { local: {} }, certificatePath: '/srv/tls/site.crt', privateKeyPath: '/srv/tls/site.key', reload: ['/usr/sbin/nginx', '-s', 'reload'] };

describe('example connector plan', () => {
  it('writes the chain then the key (0644 / 0600) and reloads; no config test unless configured', async () => {
    const { deployment } = await mintCredential();
    const plan = planExample(exampleConnector.configSchema.parse(block), deployment);
    expect(plan.files.map((f) => [f.path, f.options.mode])).toEqual([['/srv/tls/site.crt', 0o644], ['/srv/tls/site.key', 0o600]]);
    expect(plan.files[0]?.data).toBe(deployment.chainPem.join(''));
    expect(plan.configTest).toBeUndefined();
    expect(plan.reload).toEqual({ argv: block.reload, timeoutMs: 30_000 });
  });

  it('runs the config test before the reload when the block names one, and declares exactly both commands', async () => {
    const { deployment } = await mintCredential();
    const config = exampleConnector.configSchema.parse({ ...block, configTest: ['/usr/sbin/nginx', '-t'], commandTimeoutSeconds: 5 });
    expect(planExample(config, deployment).configTest).toEqual({ argv: ['/usr/sbin/nginx', '-t'], timeoutMs: 5_000 });
    expect(exampleConnector.create(config).capabilities()).toEqual({
      read: [], write: ['/srv/tls/site.crt', '/srv/tls/site.key'], dial: [],
      exec: [{ argv: ['/usr/sbin/nginx', '-t'] }, { argv: ['/usr/sbin/nginx', '-s', 'reload'] }],
    });
  });

  it('refuses one path for both files', () => {
    expect(exampleConnector.configSchema.safeParse({ ...block, privateKeyPath: block.certificatePath }).success).toBe(false);
  });
});
