/** One registered conformance test: a stable id (for opt-outs), a title, and the check. */
import type { CaseEnv } from './harness.ts';
import type { TestId } from './types.ts';

export interface ConformanceTest {
  readonly id: TestId;
  readonly title: string;
  /** Throws (an assertion error) when the connector does not conform. */
  run<C>(env: CaseEnv<C>): Promise<void>;
}
