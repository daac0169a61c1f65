/** The results block of docs/reliability.md is regenerated in place, and only between its markers. */
import { describe, expect, it } from 'vitest';
import type { FaultReport } from '../../faults/fault-suite.ts';
import { renderReliability } from '../../faults/render.ts';

const verdict = { targets: 3, onNewest: 3, acmExactlyOne: 1, acmTargets: 1, acmTotal: 2, acmOwnerTagged: 1, acmUntagged: ['arn x tags={}'], lagging: [] };
const report: FaultReport = {
  options: { kills: 50, leaderKills: 2, files: 1, acm: 1, killGapMs: [1, 2], rotateEveryMs: 10, outageMs: 1000 },
  startedAt: '2026-12-05T00:00:00.000Z', totalSeconds: 42,
  killStorm: { kills: 50, startToReadyMs: 1500, rotations: 7, rotationPutsFailed: 1, initialConvergeMs: 1000, etcdRestartMs: 3000, apiserverRestartMs: 4000, sameProcessThroughRestarts: true, convergeMs: 500, verdict, quietWrites: 0, restartWrites: 0, restartSpanStarts: 0 },
  outage: { othersConvergeMs: 1000, failedAttempts: 3, retryGapsMs: [5000, 10000], recoverMs: 2000, verdict },
  leader: { kills: 2, takeoverMs: [15000, 17000], expiryToTakeoverMs: [1000, 3000], convergeMs: 900, verdict },
  audit: { deploys: 10, writes: 9, killedMidDeploy: 2, acmKilledMidDeploy: 1, overlaps: 0, processes: 4 },
};

describe('renderReliability', () => {
  it('replaces the block between the markers and keeps the rest of the document', () => {
    const doc = 'intro\n<!-- faults:begin -->\nold\n<!-- faults:end -->\noutro\n';
    const out = renderReliability(doc, report);
    expect(out.startsWith('intro\n<!-- faults:begin -->\nLast run: 2026-12-05T00:00:00.000Z, 42 s')).toBe(true);
    expect(out.endsWith('<!-- faults:end -->\noutro\n')).toBe(true);
    expect(out).not.toContain('\nold\n');
    expect(out).toContain('| takeover, leader killed → new holder in the Lease | min 15.0 s, median 15.0 s, max 17.0 s (n=2) |');
    expect(out).toContain('| SSH target: failed attempts while down, gaps between them (backoff) | 3, 5.0 s → 10.0 s |');
    expect(renderReliability(out, report)).toBe(out);
  });

  it('appends the block when the markers are missing', () => {
    expect(renderReliability('# Reliability\n', report)).toMatch(/^# Reliability\n\n<!-- faults:begin -->[\s\S]*<!-- faults:end -->\n$/);
  });
});
