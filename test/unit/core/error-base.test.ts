import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeconfigError } from '../../../src/cli/kubeconfig.ts';
import { ConfigError } from '../../../src/controller/config.ts';
import { classifyDeployError } from '../../../src/controller/classify-error.ts';
import { CertDeployerError, ErrorCode, hasCode } from '../../../src/core/errors.ts';
import { fsErrorCode, HostFsError } from '../../../packages/connector-sdk/src/sandbox/host/fs-error.ts';
import { UnsafePathError, UnsafeReason } from '../../../packages/connector-sdk/src/sandbox/host/unsafe-path.ts';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the one error base', () => {
  it('is the only class in src and the SDK package that extends Error directly', () => {
    const base = join('packages', 'connector-sdk', 'src', 'core', 'errors.ts');
    // The package's conformance suite and test kit are test code (their opt-out signal is not a product error).
    const runtime = tsFiles(join('packages', 'connector-sdk', 'src')).filter((f) => !/[/\\](conformance|testing)[/\\]/.test(f));
    const offenders = [...tsFiles('src'), ...runtime].filter((f) => f !== base && /\bextends\s+(Error|TypeError|RangeError)\b/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('gives every former plain error a stable code, and instanceof tells them apart', () => {
    const errors = [
      [new HostFsError('ENOENT', 'open', '/f', 'no such file'), ErrorCode.HostFs, HostFsError],
      [new UnsafePathError(UnsafeReason.FinalSymlink, '/r/f'), ErrorCode.UnsafePath, UnsafePathError],
      [new ConfigError('--log-level: bad'), ErrorCode.Config, ConfigError],
      [new KubeconfigError('no kubeconfig'), ErrorCode.Kubeconfig, KubeconfigError],
    ] as const;
    for (const [err, code, cls] of errors) {
      expect(err).toBeInstanceOf(CertDeployerError);
      expect(hasCode(err, code)).toBe(true);
      for (const [, , other] of errors) expect(err instanceof other).toBe(other === cls);
    }
    // Codes are distinct and all CD_ERR_*.
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^CD_ERR_[A-Z_]+$/);
  });

  it('keeps the errno name of a remote fs error readable like a local one', () => {
    expect(fsErrorCode(new HostFsError('ENOENT', 'lstat', '/x', 'gone'))).toBe('ENOENT');
    expect(fsErrorCode(Object.assign(new Error('local'), { code: 'ENOTDIR' }))).toBe('ENOTDIR');
    expect(fsErrorCode(new CertDeployerError(ErrorCode.Denied, 'denied'))).toBeUndefined();
    expect(fsErrorCode('nope')).toBeUndefined();
  });

  it('classifies a remote fs failure as retryable, as before it joined the base', () => {
    expect(classifyDeployError(new HostFsError('EIO', 'rename', '/etc/x', 'mv failed'), false)).toMatchObject({ retryable: true, reason: 'TargetUnavailable' });
    expect(classifyDeployError(new UnsafePathError(UnsafeReason.HardLinked, '/r/f'), false)).toMatchObject({ retryable: false });
  });
});
