/**
 * The conformance suite's contract with a connector's test file: a factory that builds the
 * connector for a target, and a fixture that provides targets (a host plus a way to read the
 * target's state back independently of the connector). Modelled on external-secrets' e2e case
 * library: fixture interface + shared cases + per-case opt-out with a written reason.
 */
import type { Connector } from '../connector.ts';
import type { Host } from '../sandbox/host/host.ts';

/** Every case, as a test id (`case.test`). Opt-outs name a whole case or one test id. */
export const TEST_IDS = [
  'grantHonesty.exact',
  'grantHonesty.eachItem',
  'idempotentReplay.noop',
  'idempotentReplay.newFingerprint',
  'deploymentShape.result',
  'deploymentShape.readBack',
  'deploymentShape.capabilities',
  'rollback.reloadFailure',
  'keyHygiene.noKeyInOutput',
  'keyHygiene.keyFileMode',
  'cancellation.preAborted',
  'cancellation.duringReload',
  'errorClassification.reloadFailure',
  'errorClassification.denied',
  'errorClassification.unreachable',
  'inputs.rsa',
  'inputs.ecdsaP256',
  'inputs.ecdsaP384',
  'inputs.ed25519',
  'inputs.longChain',
  'inspect.readOnly',
  'plan.noChange',
  'plan.matchesDeploy',
] as const;
export type TestId = (typeof TEST_IDS)[number];
export type CaseName = TestId extends `${infer C}.${string}` ? C : never;
export const CASE_NAMES: readonly CaseName[] = [...new Set(TEST_IDS.map((id) => id.split('.')[0] as CaseName))];

/**
 * How the target's reload behaves from now on: `ok` loads the files, `fail` refuses them (and
 * prints the key file to stderr, like a server that dumps a bad config), `slow` hangs for
 * seconds so a cancel can land while it runs.
 */
export type ReloadMode = 'ok' | 'fail' | 'slow';

/** What the target holds, read back without the connector. */
export interface TargetState {
  /** Lowercase hex SHA-256 of the leaf the target holds; null when it holds none. */
  readonly fingerprint: string | null;
  /** Leaf-first fingerprints of the chain the target holds, when the fixture can tell. */
  readonly chain?: readonly string[];
  /** Fingerprint the server actually serves (e.g. loaded at its last successful reload). */
  readonly served?: string | null;
  /** Whether the stored private key belongs to the stored leaf. */
  readonly keyMatchesLeaf?: boolean;
  /** Permission bits of the stored private key file, for file targets. */
  readonly privateKeyMode?: number;
}

/** One fresh target for one test. */
export interface ConformanceTarget<C> {
  /** Passed to the factory: paths, reload command, host config — whatever the connector needs. */
  readonly context: C;
  /** The host the sandbox runs on. The fixture owns it. */
  readonly host: Host;
  readState(): Promise<TargetState>;
  /** Switches the reload behaviour. Omit when the target has no reload (and opt out with a reason). */
  setReload?(mode: ReloadMode): Promise<void>;
  dispose(): Promise<void>;
}

/** Per-fixture opt-outs: case name or test id → why it does not apply. The reason is required. */
export type OptOuts = Partial<Record<CaseName | TestId, string>>;

export interface ConformanceFixture<C> {
  /** Shown in the describe block, e.g. `local temp dir`, `ssh (real sshd)`. */
  readonly name: string;
  /** Once before all cases (start servers). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  newTarget(): Promise<ConformanceTarget<C>>;
  /** A host that cannot be reached (for "transport failures are retryable"). Caller closes it. */
  unreachableHost?(): Promise<Host>;
  /** Cases or tests that do not apply, each with a non-empty reason. */
  readonly skip?: OptOuts;
  /**
   * Tests known to fail because of a bug outside the connector, each with the reason. They run
   * as `it.fails`, so the suite turns red the day the bug is fixed and the entry can go.
   */
  readonly knownFailures?: Partial<Record<TestId, string>>;
  /** Per-test timeout; default 60 s. */
  readonly timeoutMs?: number;
}

/** Builds a connector for a target, exactly as the registry's `create(config)` would. */
export type ConnectorFactory<C> = (context: C) => Connector;
