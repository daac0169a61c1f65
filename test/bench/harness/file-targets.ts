/**
 * When did each target file start holding the certificate it should? The harness knows only the
 * files (both tools are judged by the same observable effect, not by their own status): it
 * watches one directory with inotify (fs.watch, recursive) and reads a file only when an event
 * names it, with a slow sweep as a safety net for coalesced events, so observing costs little
 * CPU next to the tools being measured.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Watches `dir`; `expect` arms a set of files, `done` resolves when they all hold their text. */
export class FileTargets {
  private readonly want = new Map<string, { text: string; resolve: (ms: number) => void }>();
  private readonly watcher: FSWatcher;
  private readonly sweep: NodeJS.Timeout;

  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.watcher = watch(dir, { recursive: true }, (_e, name) => {
      if (name !== null) void this.check(String(name));
    });
    this.sweep = setInterval(() => { for (const name of this.want.keys()) void this.check(name); }, 1000);
  }

  /**
   * Arms `files` (path → text the file must contain) and returns, per file, a promise of the
   * `performance.now()` at which it was first seen to contain it.
   */
  expect(files: ReadonlyMap<string, string>): Promise<number>[] {
    return [...files].map(([path, text]) => new Promise<number>((resolve) => {
      const name = relative(this.dir, path);
      this.want.set(name, { text, resolve });
      void this.check(name);
    }));
  }

  private async check(name: string): Promise<void> {
    const w = this.want.get(name);
    if (w === undefined) return;
    const content = await readFile(join(this.dir, name), 'utf8').catch(() => '');
    if (this.want.get(name) === w && content.includes(w.text)) {
      this.want.delete(name);
      w.resolve(performance.now());
    }
  }

  /** Files still waited for. */
  get pending(): number {
    return this.want.size;
  }

  close(): void {
    clearInterval(this.sweep);
    this.watcher.close();
  }
}

/** Waits for `all`, failing after `timeoutMs` with what is still pending. */
export async function allWithin(all: Promise<number>[], timeoutMs: number, what: string, pending: () => number): Promise<number[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: ${pending()} of ${all.length} files still not written after ${timeoutMs / 1000} s`)), timeoutMs); });
  try {
    return await Promise.race([Promise.all(all), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
