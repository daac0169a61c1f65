/**
 * Renders a fault report as the results block of docs/reliability.md (between the
 * `<!-- faults:begin -->` and `<!-- faults:end -->` markers), so the numbers in the docs are
 * always the last run's, with the command that produced them. Pure.
 */
import type { FaultReport } from './fault-suite.ts';

const BEGIN = '<!-- faults:begin -->';
const END = '<!-- faults:end -->';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
function stats(values: readonly number[]): string {
  if (values.length === 0) return 'n/a';
  const sorted = [...values].sort((a, b) => a - b);
  const p50 = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return `min ${s(sorted[0]!)}, median ${s(p50)}, max ${s(sorted[sorted.length - 1]!)} (n=${sorted.length})`;
}

/** The block alone (markers included). */
export function renderBlock(r: FaultReport): string {
  const k = r.killStorm;
  const v = k.verdict;
  const o = r.outage;
  const l = r.leader;
  const a = r.audit;
  const rows: [string, string][] = [
    ['controller SIGKILLs during the rotation storm (each at a random moment after the new process is ready; median start → ready)', `${k.kills} (${s(k.startToReadyMs)})`],
    ['Secret rotations during the storm (puts that failed while the apiserver was down)', `${k.rotations} (${k.rotationPutsFailed})`],
    ['targets: file / ACM on moto / file over SSH', `${r.options.files} / ${r.options.acm} / 1`],
    ['first convergence (controller start → every target on its Secret\'s certificate)', s(k.initialConvergeMs)],
    ['etcd restart (2 s down), kube-apiserver restart (2 s down), same controller process throughout', `${s(k.etcdRestartMs)}, ${s(k.apiserverRestartMs)}, ${k.sameProcessThroughRestarts ? 'yes' : 'NO'}`],
    ['end of storm → every target on the newest certificate', s(k.convergeMs)],
    ['targets on the newest certificate', `${v.onNewest} / ${v.targets}`],
    ['ACM targets with exactly one certificate; certificates with an owner tag / in the region', `${v.acmExactlyOne} / ${v.acmTargets}; ${v.acmOwnerTagged} / ${v.acmTotal}`],
    ['untagged ACM certificates left by a SIGKILL between a re-import and its tag restore (moto drops tags on re-import; see below); ACM deploys killed mid-call', `${v.acmUntagged.length}; ${a.acmKilledMidDeploy}`],
    ['writes in 5 s after convergence; after one more SIGKILL + restart (targets changed, deploys started)', `${k.quietWrites}; ${k.restartWrites}, ${k.restartSpanStarts}`],
    ['SSH host down: the other targets converge in', s(o.othersConvergeMs)],
    ['SSH target: failed attempts while down, gaps between them (backoff)', `${o.failedAttempts}, ${o.retryGapsMs.map(s).join(' → ') || 'n/a'}`],
    ['SSH host back → SSH target on the newest certificate', s(o.recoverMs)],
    ['leader SIGKILLs (two replicas)', String(l.kills)],
    ['takeover, leader killed → new holder in the Lease', stats(l.takeoverMs)],
    ['takeover, Lease expiry (last renew + 15 s) → new holder', stats(l.expiryToTakeoverMs)],
    ['after the leader kills: every target on the newest certificate', `${l.verdict.onNewest} / ${l.verdict.targets} in ${s(l.convergeMs)}`],
    ['deploys audited from spans (processes); of them killed mid-deploy; that changed a target', `${a.deploys} (${a.processes}); ${a.killedMidDeploy}; ${a.writes}`],
    ['overlapping deploys to one target (any two processes, or one)', String(a.overlaps)],
  ];
  const command = r.options.kills >= 50 ? 'npm run faults' : `npm run faults -- --kills ${r.options.kills} --leader-kills ${r.options.leaderKills}`;
  return [
    BEGIN,
    `Last run: ${r.startedAt}, ${r.totalSeconds} s in total, \`${command}\` on a shared 2-core machine (the raw report: [reliability.json](reliability.json)).`,
    '',
    '| measure | value |',
    '|---|---|',
    ...rows.map(([m, x]) => `| ${m} | ${x} |`),
    END,
  ].join('\n');
}

/** `doc` with its results block replaced (or appended when the markers are missing). */
export function renderReliability(doc: string, r: FaultReport): string {
  const block = renderBlock(r);
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END);
  if (from === -1 || to === -1) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, from) + block + doc.slice(to + END.length);
}
