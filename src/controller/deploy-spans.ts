/**
 * Deploy spans: an opt-in record of when each target deploy started and ended, in every
 * replica, so a fault run can audit from the outside that no two deploys to the same target
 * ever overlapped (across a leader hand-over, or within one process). The controller only
 * produces span values; where they go (main.ts appends JSON lines to `--deploy-span-file`) is
 * the process's business. A span names the deployment, target, connector and a fingerprint
 * prefix: never key material, never a message from a target.
 */

/** One edge of a deploy: `start` just before the connector pipeline runs, `end` when it returned. */
export interface DeploySpan {
  readonly phase: 'start' | 'end';
  /** `namespace/name` of the CertificateDeployment. */
  readonly deployment: string;
  readonly target: string;
  readonly connector: string;
  /** First 12 hex characters of the leaf fingerprint being deployed. */
  readonly fingerprint: string;
  /** Milliseconds since the Unix epoch, from the controller's clock. */
  readonly at: number;
  /** On `end`: `Deployed` (or the failure reason), and whether the target changed. */
  readonly outcome?: string;
  readonly changed?: boolean;
}

/** Receives spans; must not throw or block for long (it runs on the deploy path). */
export interface DeploySpanSink {
  record(span: DeploySpan): void;
}

/** One JSON line per span, stamped with the replica's identity and pid (for the audit). */
export function formatSpan(span: DeploySpan, replica: { readonly identity: string; readonly pid: number }): string {
  return `${JSON.stringify({ ...span, identity: replica.identity, pid: replica.pid })}\n`;
}
