/** The digest pin decision, as a table: fail closed, with a reason of its own for each refusal. */
import { describe, expect, it } from 'vitest';
import { pinDecision } from '../../../src/controller/plugins/plugin-pins.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const plugin = { name: 'pem-files', version: '0.1.0', sha256: A };
const policy = (name: string, plugins?: { name: string; sha256: string }[]) => ({ metadata: { name }, spec: plugins === undefined ? {} : { plugins } });

describe('pinDecision', () => {
  it('allows a plugin pinned by name and exact digest, naming the pinning policies', () => {
    expect(pinDecision(plugin, 'team', [policy('p1', [{ name: 'pem-files', sha256: A }]), policy('p2'), policy('p3', [{ name: 'pem-files', sha256: A }])])).toEqual({ ok: true, policies: ['p1', 'p3'] });
  });

  it('refuses with PluginNotPinned when no selecting policy names it, saying what to add', () => {
    const d = pinDecision(plugin, 'team', [policy('p1'), policy('p2', [{ name: 'other', sha256: A }])]);
    expect(d).toMatchObject({ ok: false, reason: 'PluginNotPinned' });
    expect(!d.ok && d.message).toContain(`{name: pem-files, sha256: ${A}}`);
  });

  it('refuses with PluginNotPinned when no policy selects the namespace', () => {
    expect(pinDecision(plugin, 'team', [])).toMatchObject({ ok: false, reason: 'PluginNotPinned' });
  });

  it('refuses with PluginDigestMismatch when the name is pinned with another digest', () => {
    const d = pinDecision(plugin, 'team', [policy('p1', [{ name: 'pem-files', sha256: B }])]);
    expect(d).toMatchObject({ ok: false, reason: 'PluginDigestMismatch', policies: ['p1'] });
    expect(!d.ok && d.message).toContain(`the installed file has sha256:${A}`);
  });
});
