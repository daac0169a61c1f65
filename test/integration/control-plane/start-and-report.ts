/**
 * Helper process for lifecycle.test.ts: starts a control plane, prints its pids and directory
 * as one JSON line, then either stops it (`--stop`) or waits to be killed.
 */
import { execFileSync } from 'node:child_process';
import { startControlPlane } from '../../support/control-plane/control-plane.ts';

const binDir = process.argv[2]!;
const plane = await startControlPlane({ binDir });
const pids = execFileSync('pgrep', ['-f', plane.dir], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean)
  .map(Number)
  .filter((p) => p !== process.pid);
const children = pids.filter((p) => {
  try {
    return !execFileSync('ps', ['-o', 'comm=', '-p', String(p)], { encoding: 'utf8' }).includes('setpriv');
  } catch {
    return false;
  }
});
if (process.argv.includes('--stop')) {
  await plane.stop();
  console.log(JSON.stringify({ pids: children, dir: plane.dir }));
  process.exit(0);
}
console.log(JSON.stringify({ pids: children, dir: plane.dir }));
setInterval(() => undefined, 1 << 30);
