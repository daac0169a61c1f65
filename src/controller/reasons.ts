/**
 * Condition types and reasons, as constants: users alert on them, so they are API. Reasons
 * are specific (what happened), never generic ("Error").
 */
export const ConditionType = {
  /** Summary: every target holds the current certificate, and serves it where verification is asked. */
  Ready: 'Ready',
  /**
   * True while the credential deployed is weak (RSA under 2048 bits, SHA-1/MD5 signature):
   * reason `WeakKey` or `WeakSignature`. Absent when nothing is weak. Ready is unaffected:
   * the certificate is delivered (`--weak-credentials=Refuse` refuses it instead).
   */
  WeakCredential: 'WeakCredential',
  /**
   * True while a periodic re-verification found a Ready target serving or holding another
   * certificate than the one deployed (reason: the verdict), Unknown while some target could not
   * be asked, False when every checked target serves what was deployed. Absent until a check ran.
   */
  Drifted: 'Drifted',
} as const;

/** Reasons of the Drifted condition besides the verdicts themselves. */
export const DriftReason = {
  /** Some target could not be asked (unreachable, denied): no verdict. */
  Unreachable: 'Unreachable',
} as const;

export const Reason = {
  Deployed: 'Deployed',
  SecretNotFound: 'SecretNotFound',
  InvalidCertificate: 'InvalidCertificate',
  InvalidSpec: 'InvalidSpec',
  /** The operator's --policy flag (the upper bound over all policies) does not allow what the target needs. */
  GrantDenied: 'GrantDenied',
  /** No DeploymentPolicy selecting the namespace allows what the target needs (deny by default). */
  PolicyDenied: 'PolicyDenied',
  /** Terminal: the target refused (auth, invalid config, failed config test). Retried on change or slowly. */
  DeployFailed: 'DeployFailed',
  /** Retryable: unreachable, throttled, 5xx, timeout. Retried with per-target backoff. */
  TargetUnavailable: 'TargetUnavailable',
  VerifyFailed: 'VerifyFailed',
  Suspended: 'Suspended',
  /** Some targets are still being worked on (first deploy, or after a change). */
  Progressing: 'Progressing',
  UndeployFailed: 'UndeployFailed',
  /** The target's `plugin.name` names no plugin the operator loaded (not installed, or refused at load). */
  PluginNotInstalled: 'PluginNotInstalled',
  /** No DeploymentPolicy selecting the namespace pins the plugin: it is not loaded (fail closed). */
  PluginNotPinned: 'PluginNotPinned',
  /** Policies pin the plugin's name, but with another sha256 than the installed file's: not loaded. */
  PluginDigestMismatch: 'PluginDigestMismatch',
  /** spec.rollout: a target of the current wave failed (haltOnFailure); later waves keep the previous certificate. */
  RolloutHalted: 'RolloutHalted',
  /** spec.rollout: a wave is done; the next starts when pauseAfterWave has passed. */
  RolloutPaused: 'RolloutPaused',
  /** mode: Plan: the target's plan is in status; nothing was changed. */
  Planned: 'Planned',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Reasons after which retrying without a change cannot help: retried only on a slow timer. */
export const TERMINAL_REASONS: ReadonlySet<string> = new Set([Reason.DeployFailed, Reason.GrantDenied, Reason.PolicyDenied, Reason.InvalidSpec, Reason.PluginNotInstalled, Reason.PluginNotPinned, Reason.PluginDigestMismatch]);

/** Event reasons (events.k8s.io `reason`), and the machine-readable `action`s. */
export const EventReason = {
  Deployed: 'Deployed',
  Verified: 'Verified',
  DeployFailed: 'DeployFailed',
  GrantDenied: 'GrantDenied',
  PolicyDenied: 'PolicyDenied',
  /** A plugin target was refused before its plugin ran: not installed, not pinned, or another digest. */
  PluginRefused: 'PluginRefused',
  VerifyFailed: 'VerifyFailed',
  InvalidCertificate: 'InvalidCertificate',
  SecretNotFound: 'SecretNotFound',
  Undeployed: 'Undeployed',
  UndeployFailed: 'UndeployFailed',
  /** The Secret's credential is weak and was deployed anyway (`--weak-credentials=Warn`). */
  WeakCredential: 'WeakCredential',
  /** A re-verification found another certificate (Warning). */
  Drifted: 'Drifted',
  /** driftPolicy: Repair redeployed a drifted target (Normal when it serves again, Warning when not). */
  DriftRepaired: 'DriftRepaired',
  DriftRepairFailed: 'DriftRepairFailed',
} as const;

export const EventAction = { Deploy: 'Deploy', Verify: 'Verify', Undeploy: 'Undeploy', Validate: 'Validate', Reverify: 'Reverify', Repair: 'Repair' } as const;
