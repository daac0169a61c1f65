/**
 * Validation of a fixture's opt-outs. An opt-out is a promise to readers that a case does not
 * apply, so it must say why: an empty reason or an unknown name throws before any test runs.
 */
import { CASE_NAMES, TEST_IDS, type ConformanceFixture, type TestId } from './types.ts';

/** Thrown by `runConformance` for an opt-out it cannot honour. */
export class ConformanceOptOutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceOptOutError';
  }
}

function checkEntries(kind: string, entries: unknown, allowed: ReadonlySet<string>): void {
  if (entries === undefined) return;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    throw new ConformanceOptOutError(`${kind} must be an object of name → reason`);
  }
  for (const [name, reason] of Object.entries(entries)) {
    if (!allowed.has(name)) {
      throw new ConformanceOptOutError(`${kind}: unknown case or test ${JSON.stringify(name)}; known: ${[...allowed].join(', ')}`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new ConformanceOptOutError(`${kind}.${name}: an opt-out needs a non-empty reason`);
    }
  }
}

/** Throws ConformanceOptOutError unless every opt-out names a known case/test and gives a reason. */
export function validateOptOuts(fixture: Pick<ConformanceFixture<unknown>, 'skip' | 'knownFailures'>): void {
  checkEntries('skip', fixture.skip, new Set<string>([...CASE_NAMES, ...TEST_IDS]));
  checkEntries('knownFailures', fixture.knownFailures, new Set<string>(TEST_IDS));
}

/** How a test is registered: run, skipped (with why), or expected to fail (with why). */
export type Disposition = { readonly kind: 'run' } | { readonly kind: 'skip' | 'fails'; readonly reason: string };

/** Pure: the disposition of `id` under the fixture's opt-outs (a test-level entry wins). */
export function dispositionOf(fixture: Pick<ConformanceFixture<unknown>, 'skip' | 'knownFailures'>, id: TestId): Disposition {
  const caseName = id.split('.')[0] as string;
  const skip = fixture.skip as Record<string, string | undefined> | undefined;
  const reason = skip?.[id] ?? skip?.[caseName];
  if (reason !== undefined) return { kind: 'skip', reason };
  const known = fixture.knownFailures?.[id];
  if (known !== undefined) return { kind: 'fails', reason: known };
  return { kind: 'run' };
}
