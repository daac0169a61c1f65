/**
 * `npm run faults` — the fault suite from the command line (not a test: it prints and writes,
 * the CI test asserts). `--mode long` (default) is the documented run: 50 SIGKILLs, 5 leader
 * kills, a 30 s target outage; `--mode short` is what CI runs. Writes the JSON report to
 * `--out` (default docs/reliability.json) and regenerates the results block of
 * docs/reliability.md (between the faults markers) unless `--no-docs`.
 *   node test/faults/run.ts [--mode long|short] [--kills N] [--leader-kills N] [--out FILE] [--no-docs]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LONG, runFaultSuite, SHORT } from './fault-suite.ts';
import { renderReliability } from './render.ts';

const { values } = parseArgs({ options: {
  mode: { type: 'string', default: 'long' }, kills: { type: 'string' }, 'leader-kills': { type: 'string' },
  out: { type: 'string' }, 'no-docs': { type: 'boolean', default: false },
} });
const binDir = process.env.CD_K8S_BIN_DIR ?? (() => { throw new Error('set CD_K8S_BIN_DIR (source hack/lib.sh; ensure_k8s), or run through npm run faults'); })();
const base = values.mode === 'short' ? SHORT : LONG;
const options = {
  ...base, binDir,
  ...(values.kills ? { kills: Number(values.kills) } : {}),
  ...(values['leader-kills'] ? { leaderKills: Number(values['leader-kills']) } : {}),
  log: (m: string) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${m}\n`),
};
const root = join(import.meta.dirname, '..', '..');
const report = await runFaultSuite(options);
const out = values.out ?? join(root, 'docs', 'reliability.json');
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
process.stderr.write(`wrote ${out}\n`);
if (!values['no-docs']) {
  const path = join(root, 'docs', 'reliability.md');
  const doc = await readFile(path, 'utf8');
  await writeFile(path, renderReliability(doc, report));
  process.stderr.write(`updated ${path}\n`);
}
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
