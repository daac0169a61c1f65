/**
 * The pure halves of the command-line tools: kubeconfig source precedence, the redeploy
 * patch, the status table, and --help covering every flag of the one table.
 */
import { describe, expect, it } from 'vitest';
import { chooseKubeconfig } from '../../../src/cli/kubeconfig.ts';
import { REDEPLOY_AT_ANNOTATION, REDEPLOY_TARGETS_ANNOTATION, redeployPatch } from '../../../src/cli/redeploy.ts';
import { renderStatus } from '../../../src/cli/status-table.ts';
import { renderHelp } from '../../../src/controller/cli-help.ts';
import { FLAGS, envName, loadConfig } from '../../../src/controller/config.ts';

describe('chooseKubeconfig', () => {
  const inPod = { serviceHost: '10.0.0.1', servicePort: '443', tokenExists: true };
  it('controller order: explicit, then in-cluster, then ~/.kube/config', () => {
    expect(chooseKubeconfig({ explicit: '/k', ...inPod, homeConfig: '/h' })).toEqual({ kind: 'file', path: '/k' });
    expect(chooseKubeconfig({ ...inPod, homeConfig: '/h' })).toEqual({ kind: 'cluster' });
    expect(chooseKubeconfig({ tokenExists: false, homeConfig: '/h' })).toEqual({ kind: 'file', path: '/h' });
  });
  it('kubectl order prefers ~/.kube/config over the pod account', () => {
    expect(chooseKubeconfig({ ...inPod, homeConfig: '/h', order: 'kubectl' })).toEqual({ kind: 'file', path: '/h' });
  });
  it('says what to do when there is nothing, or a pod without its token', () => {
    const none = chooseKubeconfig({ tokenExists: false });
    expect(none.kind === 'none' && none.problem).toMatch(/pass --kubeconfig PATH/);
    const noToken = chooseKubeconfig({ ...inPod, tokenExists: false });
    expect(noToken.kind === 'none' && noToken.problem).toMatch(/service account token .* is missing/);
  });
});

describe('redeployPatch', () => {
  const now = new Date('2026-12-04T18:34:43.789Z');
  it('stamps RFC 3339 seconds and lists distinct targets, or clears the list for all', () => {
    expect(redeployPatch(['a', 'b'], ['b', 'b'], now)).toEqual({ metadata: { annotations: { [REDEPLOY_AT_ANNOTATION]: '2026-12-04T18:34:43Z', [REDEPLOY_TARGETS_ANNOTATION]: 'b' } } });
    expect(redeployPatch(['a'], [], now).metadata.annotations[REDEPLOY_TARGETS_ANNOTATION]).toBeNull();
  });
  it('refuses unknown targets by name', () => {
    expect(() => redeployPatch(['a'], ['a', 'x'], now)).toThrow('no target named "x"; the deployment\'s targets are a');
  });
});

describe('renderStatus', () => {
  it('lists spec targets in order, Unknown for a target without status, and flags an old generation', () => {
    const text = renderStatus({
      metadata: { name: 'web', namespace: 'shop', generation: 3 },
      spec: { secretRef: { name: 'tls' }, targets: [{ name: 'new', nginx: {} }, { name: 'old', file: {} }] },
      status: { observedGeneration: 2, conditions: [{ type: 'Ready', status: 'False', reason: 'Progressing', message: 'new: pending' }], targets: [{ name: 'old', ready: true, reason: 'Deployed', fingerprint: 'ab'.repeat(32), attempts: 0, message: 'ok\nfine' }] },
    });
    expect(text).toContain('Ready:        False (Progressing) [status is for an older generation]');
    expect(text).toContain('Message:      new: pending');
    const rows = text.split('\n').filter((l) => /^(new|old) /.test(l));
    expect(rows[0]).toMatch(/^new\s+nginx\s+Unknown\s+-\s+-/);
    expect(rows[1]).toMatch(/^old\s+file\s+True\s+Deployed\s+abababababab\s+.*ok fine$/);
  });
});

describe('renderStatus: rollout', () => {
  it('shows where a progressive rollout stands, and nothing without one', () => {
    const view = (rollout?: Record<string, unknown>) => renderStatus({ metadata: { name: 'edges' }, spec: { targets: [] }, status: { ...(rollout ? { rollout: rollout as never } : {}) } });
    expect(view({ phase: 'Halted', wave: 2, waves: 3, haltedBy: ['edge-15'], pending: ['edge-21', 'edge-22'] })).toContain('Rollout:      Halted, wave 2/3; halted by edge-15; 2 target(s) wait for later waves');
    expect(view({ phase: 'Paused', wave: 2, waves: 3, pausedUntil: '2026-12-05T09:00:30.000Z' })).toContain('Rollout:      Paused, wave 2/3; paused until 2026-12-05T09:00:30.000Z');
    expect(view()).not.toContain('Rollout:');
  });
});

describe('--help', () => {
  it('has a block for every flag of the table, with the env var that loadConfig really reads', () => {
    const help = renderHelp();
    for (const [flag, spec] of Object.entries(FLAGS)) {
      expect(help).toContain(`  --${flag}`);
      if (spec.kind !== 'switch') expect(help).toContain(envName(flag));
    }
    // The env names in --help are the ones the parser reads.
    expect(loadConfig([], { [envName('concurrency')]: '7', [envName('log-format')]: 'text' }, 'id')).toMatchObject({ concurrency: 7, logFormat: 'text' });
  });
});
