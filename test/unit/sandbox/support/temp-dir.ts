/** Real temporary directories for sandbox tests. Paths are canonical (realpath of the temp dir). */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates a fresh directory under the OS temp dir and returns its canonical path. */
export async function makeTempDir(prefix = 'cd-sandbox-'): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), prefix)));
}

/** Removes a directory tree made by `makeTempDir`. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
