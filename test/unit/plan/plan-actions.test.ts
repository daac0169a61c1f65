/** The pure parts of the plan vocabulary: descriptions, summaries, server-files actions, planRead. */
import { describe, expect, it } from 'vitest';
import { describeAction, planRead, serverFilesActions, summarizePlan, DeniedError, terminal } from '../../../packages/connector-sdk/src/index.ts';

describe('serverFilesActions', () => {
  it('lists every file in order with its material and mode, then the config test and the reload', () => {
    const actions = serverFilesActions({
      files: [
        { path: '/tls/a.crt', data: 'CERT', options: { mode: 0o644 }, material: 'chain' },
        { path: '/tls/a.key', data: 'KEY', options: { mode: 0o600 }, material: 'privateKey' },
      ],
      configTest: { argv: ['nginx', '-t'], timeoutMs: 1 },
      reload: { argv: ['nginx', '-s', 'reload'], timeoutMs: 1 },
    });
    expect(actions).toEqual([
      { kind: 'writeFile', path: '/tls/a.crt', material: 'chain', mode: 0o644 },
      { kind: 'writeFile', path: '/tls/a.key', material: 'privateKey', mode: 0o600 },
      { kind: 'exec', argv: ['nginx', '-t'] },
      { kind: 'exec', argv: ['nginx', '-s', 'reload'] },
    ]);
    // No bytes of the material in the plan.
    expect(JSON.stringify(actions)).not.toMatch(/CERT|KEY"/);
  });
});

describe('describeAction / summarizePlan', () => {
  it('says each action in one phrase', () => {
    expect(describeAction({ kind: 'writeFile', path: '/k', material: 'privateKey', mode: 0o600 })).toBe('write privateKey to /k (mode 0600)');
    expect(describeAction({ kind: 'exec', argv: ['nginx', '-s', 'reload'] })).toBe('run nginx -s reload');
    expect(describeAction({ kind: 'import', into: 'arn:aws:acm:x', resource: 'ImportCertificate' })).toBe('import into arn:aws:acm:x (ImportCertificate)');
    expect(describeAction({ kind: 'unpredictable', what: 'x', why: 'y' })).toBe('cannot predict x: y');
    expect(describeAction({ kind: 'send', address: 'unix:/s', what: 'commit ssl cert /p' })).toBe('send "commit ssl cert /p" to unix:/s');
    expect(describeAction({ kind: 'http', method: 'patch', url: '/p' })).toBe('PATCH /p');
  });
  it('an empty plan says nothing is to do', () => {
    expect(summarizePlan([])).toMatch(/nothing to do/);
    expect(summarizePlan([], 'held')).toBe('held');
  });
});

describe('planRead', () => {
  it('returns the value of a read that ran', async () => {
    expect(await planRead(async () => 42)).toEqual({ ok: true, value: 42 });
  });
  it('turns a plan-sandbox refusal (also wrapped as a cause) into data', async () => {
    const denied = new DeniedError('net.dial', 'POST https://x', 'plan mode');
    expect((await planRead(() => Promise.reject(denied))).ok).toBe(false);
    const wrapped = new Error('client failed', { cause: denied });
    const r = await planRead(() => Promise.reject(wrapped));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toContain('POST https://x');
  });
  it('lets every other error through: the plan fails as deploy would', async () => {
    await expect(planRead(() => Promise.reject(terminal('bad credentials')))).rejects.toThrow('bad credentials');
  });
});
