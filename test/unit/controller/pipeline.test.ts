import { describe, expect, it } from 'vitest';
import { fileConnector } from '../../../src/connectors/file/index.ts';
import type { ConnectorDefinition } from '../../../packages/connector-sdk/src/connector.ts';
import { realClock } from '../../../src/core/clock.ts';
import type { HostPool } from '../../../src/controller/host-pool.ts';
import { deployTarget } from '../../../src/controller/pipeline/deploy-target.ts';
import type { ConnectorRegistry, TargetSpec } from '../../../src/controller/pipeline/prepare-target.ts';
import type { TargetEnv } from '../../../src/controller/pipeline/target-session.ts';
import { policyAccess } from '../../../src/controller/policy/policy-access.ts';
import { unrestrictedSource } from '../../support/policy-fixtures.ts';
import { undeployTarget } from '../../../src/controller/pipeline/undeploy-target.ts';
import { Reason } from '../../../src/controller/reasons.ts';
import { LocalHost } from '../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import type { Policy } from '../../../packages/connector-sdk/src/sandbox/grant.ts';

/** A file connector that also undeploys, counting calls: the pipeline must not reach it. */
const calls = { deploy: 0, undeploy: 0 };
const counting: ConnectorDefinition<never> = {
  ...(fileConnector as ConnectorDefinition<never>),
  create: (config) => {
    const c = fileConnector.create(config);
    return {
      ...c, name: c.name, capabilities: () => c.capabilities(),
      deploy: async (...a) => { calls.deploy++; return c.deploy(...a); },
      undeploy: async () => { calls.undeploy++; },
    };
  },
};
const registry: ConnectorRegistry = new Map([['file', counting]]);

function env(policy: Policy, opened: { count: number }): TargetEnv {
  const hosts: HostPool = {
    local: new LocalHost(),
    hostFor: async () => { opened.count++; throw new Error('must not connect'); },
    observedHostKey: () => undefined,
    close: async () => undefined,
  };
  return { namespace: 'ns', access: policyAccess(unrestrictedSource(), 'ns', policy), hosts, clock: realClock, timeoutMs: 1000, readSecret: async () => null };
}

const ssh = { address: 'edge-1.internal:22', user: 'deploy', credentialsRef: { name: 'k' }, hostKey: 'ssh-ed25519 AAAA' };
const target = (over: Record<string, unknown> = {}): TargetSpec => ({ name: 't', file: { host: { ssh }, certificatePath: '/etc/app/tls.crt', privateKeyPath: '/etc/app/tls.key', ...over } });
const allowFiles: Policy = { pathRoots: ['/etc/app'], hosts: ['other:22'] };

describe('one target pipeline: every policy check before any I/O, for deploy and undeploy alike', () => {
  it('deploy: an SSH host the policy does not list is refused without opening a connection', async () => {
    const opened = { count: 0 };
    const out = await deployTarget({ registry, target: target(), deployment: {} as never, ownerId: 'u/t', env: env(allowFiles, opened), probeHost: new LocalHost(), signal: new AbortController().signal });
    expect(out).toMatchObject({ ok: false, reason: Reason.GrantDenied, invoked: false });
    expect(out.message).toMatch(/dial edge-1.internal:22/);
    expect(opened.count).toBe(0);
  });
  it('undeploy: the same SSH address check applies (the old undeploy path skipped it)', async () => {
    const opened = { count: 0 };
    calls.undeploy = 0;
    const out = await undeployTarget({ registry, target: target(), ownerId: 'u/t', env: env(allowFiles, opened), signal: new AbortController().signal });
    expect(out).toMatchObject({ kind: 'failed', retryable: false });
    expect(out.kind === 'failed' && out.message).toMatch(/dial edge-1.internal:22/);
    expect(opened.count).toBe(0);
    expect(calls.undeploy).toBe(0);
  });
  it('deploy: verify endpoints the policy does not list are refused', async () => {
    const opened = { count: 0 };
    const t = { ...target({ host: { local: {} } }), verify: { endpoints: [{ address: 'edge-1.internal:443' }], timeoutSeconds: 1 } };
    const out = await deployTarget({ registry, target: t, deployment: {} as never, ownerId: 'u/t', env: env({ pathRoots: ['/etc/app'], hosts: [] }, opened), probeHost: new LocalHost(), signal: new AbortController().signal });
    expect(out).toMatchObject({ ok: false, reason: Reason.GrantDenied });
    expect(out.message).toMatch(/dial edge-1.internal:443/);
    expect(calls.deploy).toBe(0);
  });
  it('a target without a registered block is an invalid spec, not a crash', async () => {
    const out = await deployTarget({ registry, target: { name: 'x', nope: {} }, deployment: {} as never, ownerId: 'u/x', env: env(allowFiles, { count: 0 }), probeHost: new LocalHost(), signal: new AbortController().signal });
    expect(out).toMatchObject({ ok: false, reason: Reason.InvalidSpec, message: 'no registered connector block' });
  });
  it('a host that cannot be reached is a retryable failure with the reason, after the checks passed', async () => {
    const opened = { count: 0 };
    const out = await deployTarget({ registry, target: target(), deployment: {} as never, ownerId: 'u/t', env: env({ pathRoots: ['/etc/app'], hosts: ['edge-1.internal:22'] }, opened), probeHost: new LocalHost(), signal: new AbortController().signal });
    expect(opened.count).toBe(1);
    expect(out).toMatchObject({ ok: false, invoked: true, retryable: true, reason: Reason.TargetUnavailable });
    expect(out.message).toMatch(/must not connect/);
  });
});

describe('one target pipeline: the connector gets the controller clock', () => {
  it('DeployContext.clock is the env clock, so connector deadlines run on it', async () => {
    const clock = { ...realClock };
    let seen: unknown;
    const capturing: ConnectorDefinition<never> = {
      ...(fileConnector as ConnectorDefinition<never>),
      create: (config) => {
        const c = fileConnector.create(config);
        return { ...c, name: c.name, capabilities: () => c.capabilities(), deploy: async (_s, _b, _d, ctx) => { seen = ctx.clock; throw new Error('stop here'); } };
      },
    };
    const local: HostPool = { local: new LocalHost(), hostFor: async () => new LocalHost(), observedHostKey: () => undefined, close: async () => undefined };
    const e: TargetEnv = { ...env({ pathRoots: ['/etc/app'] }, { count: 0 }), hosts: local, clock };
    const out = await deployTarget({
      registry: new Map([['file', capturing]]), target: { name: 't', file: { host: { local: {} }, certificatePath: '/etc/app/tls.crt', privateKeyPath: '/etc/app/tls.key' } },
      deployment: {} as never, ownerId: 'u/t', env: e, probeHost: new LocalHost(), signal: new AbortController().signal,
    });
    expect(out.message).toMatch(/stop here/);
    expect(seen).toBe(clock);
  });
});
