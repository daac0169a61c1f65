import { describe, expect, it } from 'vitest';
import { classifyAccount, parseGetentGroup, parseIdOutput } from '../../../packages/connector-sdk/src/sandbox/host/ssh-owner.ts';
import { errnoForSftpStatus, mapSftpError, SftpStatus } from '../../../packages/connector-sdk/src/sandbox/host/ssh-errors.ts';
import { hasCode } from '../../../packages/connector-sdk/src/sandbox/errors.ts';

function caughtSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('owner and group parsing', () => {
  it('classifies ids, numeric strings and names', () => {
    expect(classifyAccount(0, 'owner', '/f')).toBe(0);
    expect(classifyAccount('101', 'group', '/f')).toBe(101);
    expect(classifyAccount('www-data', 'owner', '/f')).toBe('www-data');
    expect(classifyAccount('machine$', 'owner', '/f')).toBe('machine$');
  });

  it('rejects values that are neither an id nor a plausible name', () => {
    for (const bad of [-1, 1.5, 0xffffffff, '-u', 'a b', 'x;id', 'a/b', '']) {
      expect(() => classifyAccount(bad, 'owner', '/f')).toThrow(/not a valid user\/group name or id/);
      expect(hasCode(caughtSync(() => classifyAccount(bad, 'owner', '/f')), 'CD_ERR_CONNECTOR')).toBe(true);
    }
  });

  it('parses id -u and getent group output', () => {
    expect(parseIdOutput('33\n')).toBe(33);
    expect(parseIdOutput('')).toBeNull();
    expect(parseIdOutput('uid=33')).toBeNull();
    expect(parseGetentGroup('ssl-cert:x:110:postgres\n', 'ssl-cert')).toBe(110);
    expect(parseGetentGroup('other:x:110:\n', 'ssl-cert')).toBeNull();
    expect(parseGetentGroup('ssl-cert:x::\n', 'ssl-cert')).toBeNull();
  });
});

describe('SFTP error mapping', () => {
  it('maps status codes to errno names', () => {
    expect(errnoForSftpStatus(SftpStatus.NoSuchFile)).toBe('ENOENT');
    expect(errnoForSftpStatus(SftpStatus.PermissionDenied)).toBe('EACCES');
    expect(errnoForSftpStatus(SftpStatus.OpUnsupported)).toBe('ENOTSUP');
    expect(errnoForSftpStatus(SftpStatus.Failure)).toBe('EIO');
  });

  it('turns lost connections into retryable CD_ERR_UNREACHABLE', () => {
    const lost = mapSftpError(Object.assign(new Error('lost'), { code: SftpStatus.ConnectionLost }), 'read', '/f', 'u@h:22');
    expect(hasCode(lost, 'CD_ERR_UNREACHABLE') && lost.retryable).toBe(true);
    const noStatus = mapSftpError(new Error('No response from server'), 'read', '/f', 'u@h:22');
    expect(hasCode(noStatus, 'CD_ERR_UNREACHABLE')).toBe(true);
    const enoent = mapSftpError(Object.assign(new Error('No such file'), { code: 2 }), 'open', '/f', 'u@h:22');
    expect(enoent).toMatchObject({ code: 'CD_ERR_HOST_FS', fsCode: 'ENOENT', path: '/f', syscall: 'open' });
  });
});
