/**
 * Key pairs made by the real `ssh-keygen`, so tests use exactly the formats users paste into
 * Secrets (OpenSSH private key, `TYPE BASE64 comment` public line) and fingerprints can be
 * checked against `ssh-keygen -lf`, an implementation independent of ours.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KeyPair {
  /** OpenSSH private key text. */
  readonly privateKey: string;
  /** `TYPE BASE64 comment` */
  readonly publicLine: string;
  readonly privatePath: string;
  readonly publicPath: string;
}

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

/**
 * Generates a key pair in `dir` under `name` (files `name` and `name.pub`). `pem` writes the
 * private key in the legacy PEM format (`BEGIN RSA PRIVATE KEY` / `BEGIN EC PRIVATE KEY`)
 * instead of OpenSSH's own; ed25519 keys only exist in the OpenSSH format.
 */
export async function generateKey(dir: string, name: string, type: KeyType = 'ed25519', passphrase = '', pem = false): Promise<KeyPair> {
  const privatePath = join(dir, name);
  const args = ['-q', '-t', type, '-N', passphrase, '-C', `cert-deployer-test-${name}`, '-f', privatePath];
  if (type === 'rsa') args.push('-b', '2048');
  if (pem) args.push('-m', 'PEM');
  await run('ssh-keygen', args);
  return {
    privateKey: await readFile(privatePath, 'utf8'),
    publicLine: (await readFile(`${privatePath}.pub`, 'utf8')).trim(),
    privatePath,
    publicPath: `${privatePath}.pub`,
  };
}

/** The `SHA256:...` fingerprint ssh-keygen prints for a public key file. */
export async function sshKeygenFingerprint(publicPath: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicPath]);
  const fp = stdout.split(/\s+/)[1];
  if (fp === undefined || !fp.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -l output: ${stdout}`);
  return fp;
}
