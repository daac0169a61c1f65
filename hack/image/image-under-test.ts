/**
 * The image the tests and the local environment run: the one hack/image/build.sh built from the
 * repository's Dockerfile. hack/test.sh and hack/demo.sh build it first (`ensure_image` exports
 * CD_IMAGE_DIR), so a cold build never runs inside a test hook; without it, it is built here
 * (cached, so only once).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageProcess } from './runtime-spec.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** A cold build on a busy 2-core machine takes minutes: the hook waiting for it must allow that. */
export const COLD_BUILD_TIMEOUT_MS = 30 * 60_000;

export interface ImageUnderTest {
  readonly dir: string;
  /** Unpacked image root (umoci), mounted read-only by the container. */
  readonly rootfs: string;
  /** Entry point, env, working dir and user as the image config states them. */
  readonly process: ImageProcess;
  /** What build.sh recorded: reference, id, sizes, cold build time. */
  readonly meta: { ref: string; id: string; rootfsBytes: number; ociBytes: number; buildSeconds: number };
}

/** The built image, building it first when hack/test.sh has not. */
export async function imageUnderTest(): Promise<ImageUnderTest> {
  const dir = process.env.CD_IMAGE_DIR
    ?? execFileSync('bash', [join(REPO_ROOT, 'hack', 'image', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: COLD_BUILD_TIMEOUT_MS }).trim().split('\n').pop()!;
  const config = JSON.parse(await readFile(join(dir, 'bundle', 'config.json'), 'utf8')) as { process: ImageProcess };
  const meta = JSON.parse(await readFile(join(dir, 'image.json'), 'utf8')) as ImageUnderTest['meta'];
  const { args, env, cwd, user } = config.process;
  return { dir, rootfs: join(dir, 'bundle', 'rootfs'), process: { args, env, cwd, user }, meta };
}
