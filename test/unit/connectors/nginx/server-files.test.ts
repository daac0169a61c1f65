/**
 * The pure decisions of the shared write → config test → reload → rollback helper
 * (packages/connector-sdk/src/server-files.ts), which nginx and apache use: when a command failed and
 * what the status quotes of it (redacted before it is shortened), what the rollback achieved,
 * and terminal versus retryable. The I/O path is exercised against real servers in
 * server.test.ts and the conformance runs.
 */
import { describe, expect, it } from 'vitest';
import { commandFailure, failureMessage, rollbackSummary, type ServerCommand } from '../../../../packages/connector-sdk/src/server-files.ts';
import type { ExecResult } from '../../../../packages/connector-sdk/src/sandbox/sandbox.ts';
import { keyMaterialLeaks } from '../../../support/certs/index.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';

const cmd: ServerCommand = { argv: ['/usr/sbin/nginx', '-t'], timeoutMs: 30_000 };
const result = (over: Partial<ExecResult>): ExecResult => ({ exitCode: 0, signal: null, stdout: '', stderr: '', truncated: false, timedOut: false, ...over });

describe('commandFailure', () => {
  it('is null for exit 0', () => {
    expect(commandFailure(cmd, result({ stderr: 'nginx: configuration file /etc/nginx/nginx.conf test is successful' }))).toBeNull();
  });

  it('names the argv, the exit status and the server output from both streams', () => {
    const f = commandFailure(cmd, result({ exitCode: 1, stderr: 'nginx: [emerg] unknown directive "x"\n', stdout: 'Action failed.\n' }));
    expect(f).toEqual({ why: '/usr/sbin/nginx -t exited 1: nginx: [emerg] unknown directive "x"\nAction failed.', timedOut: false });
  });

  it('a timeout is marked as such (retryable later), with the limit in seconds', () => {
    expect(commandFailure(cmd, result({ exitCode: null, signal: 'SIGKILL', timedOut: true }))).toEqual({ why: '/usr/sbin/nginx -t timed out after 30s', timedOut: true });
  });

  it('a kill by signal names the signal', () => {
    expect(commandFailure(cmd, result({ exitCode: null, signal: 'SIGSEGV' }))?.why).toBe('/usr/sbin/nginx -t exited SIGSEGV');
  });

  it('redacts key material before shortening, so no fragment of a key line survives the cut', async () => {
    const { keyPem } = await mintCredential({ keyAlgorithm: 'rsa' });
    for (const pad of [0, 17, 450, 580]) {
      const f = commandFailure(cmd, result({ exitCode: 1, stderr: `${'x'.repeat(pad)}\n${keyPem}\n${keyPem.split('\n').slice(1, -2).join('\n')}` }));
      expect(keyMaterialLeaks([f?.why ?? ''], [keyPem])).toEqual([]);
      expect((f?.why.length ?? 0) < 700).toBe(true);
    }
  });
});

describe('rollback summary and error', () => {
  const failure = { why: 'nginx -s reload exited 1: nginx: [error] invalid PID number', timedOut: false };

  it.each([
    [{ stuck: [], reloadAgain: 'not needed' as const }, 'previous files restored'],
    [{ stuck: [], reloadAgain: 'ok' as const }, 'previous files restored and reloaded'],
    [{ stuck: [], reloadAgain: 'skipped: cancelled' as const }, 'previous files restored, not reloaded again: cancelled'],
    [{ stuck: [], reloadAgain: { why: 'nginx -s reload exited 1', timedOut: false } }, 'previous files restored, but the reload after restore failed too: nginx -s reload exited 1'],
    [{ stuck: ['/etc/nginx/site.key'], reloadAgain: 'not needed' as const }, 'could not restore /etc/nginx/site.key'],
  ])('%j → %s', (outcome, text) => {
    expect(rollbackSummary(outcome)).toBe(text);
  });

  it('a refusal is terminal and says which step, what the rollback did and why', () => {
    const err = failureMessage('reload', failure, { stuck: [], reloadAgain: 'ok' });
    expect(err).toMatchObject({ retryable: false, code: 'CD_ERR_CONNECTOR' });
    expect(err.message).toBe('reload failed (previous files restored and reloaded): nginx -s reload exited 1: nginx: [error] invalid PID number');
  });

  it('a hung command is retryable', () => {
    const err = failureMessage('config test', { why: '/usr/sbin/nginx -t timed out after 30s', timedOut: true }, { stuck: [], reloadAgain: 'not needed' });
    expect(err.retryable).toBe(true);
    expect(err.message).toBe('config test failed (previous files restored): /usr/sbin/nginx -t timed out after 30s');
  });
});
