/**
 * The least grant of a file-plus-commands server connector (nginx, apache): exactly the files
 * it writes and exactly the commands it runs — no directory roots, no read roots, no network.
 * Built once per connector and frozen, so `capabilities()` is pure.
 */
import type { Grant } from './sandbox/grant.ts';

/** The grant for writing `paths` and running `commands` (duplicates collapsed: one rule per argv). */
export function serverGrant(paths: readonly string[], commands: readonly (readonly string[])[]): Grant {
  const seen = new Set<string>();
  const exec = commands.filter((argv) => {
    const key = JSON.stringify(argv);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return Object.freeze({
    read: Object.freeze([]),
    write: Object.freeze([...new Set(paths)]),
    dial: Object.freeze([]),
    exec: Object.freeze(exec.map((argv) => Object.freeze({ argv: Object.freeze([...argv]) }))),
  });
}
