/**
 * Installs moto (the AWS service emulator, PyPI `moto[server]`) into a virtualenv cached under
 * `~/.cache/cert-deployer/venv-moto-<version>`, once per machine. Parallel test files may ask at
 * the same time: each builds in its own temp dir and renames it into place; the first rename
 * wins and the others discard their copy. A venv is used through `bin/python -m moto.server`,
 * which keeps working after the rename (console-script shebangs would not).
 */
import { execFile } from 'node:child_process';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The moto release the tests are written against (checked with `pip index versions moto`). */
export const MOTO_VERSION = '5.2.5';

const MARKER = '.cert-deployer-installed';

/** The cache directory for one moto version. */
export function motoVenvDir(version = MOTO_VERSION): string {
  return join(process.env.CD_CACHE_DIR ?? join(homedir(), '.cache', 'cert-deployer'), `venv-moto-${version}`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** The venv's python, installing moto first when the cache does not have it yet. */
export async function ensureMoto(version = MOTO_VERSION): Promise<string> {
  const dir = motoVenvDir(version);
  const python = join(dir, 'bin', 'python');
  if (await exists(join(dir, MARKER))) return python;
  await mkdir(join(dir, '..'), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await run('python3', ['-m', 'venv', tmp], { timeout: 120_000 });
    await run(join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `moto[server]==${version}`], {
      timeout: 900_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    await run(join(tmp, 'bin', 'python'), ['-c', 'import moto.server, flask, cryptography'], { timeout: 60_000 });
    await run('touch', [join(tmp, MARKER)]);
    // A complete venv left behind by a crashed run without its marker is replaced.
    if ((await exists(dir)) && !(await exists(join(dir, MARKER)))) await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    throw new Error(`installing moto[server]==${version} into ${dir} failed: ${e.stderr?.slice(-2000) || e.message}`, { cause: err });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  if (!(await exists(join(dir, MARKER)))) throw new Error(`moto venv at ${dir} has no install marker after installing`);
  return python;
}
