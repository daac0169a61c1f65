/**
 * The grant model: what a connector declares it needs, and the operator policy that narrows it.
 * Pure data so the same grant can cross a process boundary (confinement issue).
 */

/**
 * One argv element of an exec rule: a literal, or a placeholder the connector declared. A
 * placeholder of kind `path` must be a canonical path inside the write or read roots; kind
 * `token` must match `pattern` (anchored) and may not start with `-`.
 */
export type ArgTemplate = string | { readonly placeholder: string; readonly kind: 'path' | 'token'; readonly pattern?: string };

/** An exact argv vector the connector may run, never through a shell. argv[0] is the program. */
export interface ExecRule {
  readonly argv: readonly ArgTemplate[];
}

/** What a connector may do. Paths are absolute roots; a path is inside only at a separator boundary. */
export interface Grant {
  /** Roots the connector may read below (write roots are readable too). */
  readonly read: readonly string[];
  /** Roots the connector may create, replace and restore files below. */
  readonly write: readonly string[];
  /** Exact `host:port` pairs (IPv6 as `[::1]:443`), or `unix:/abs/path` sockets. */
  readonly dial: readonly string[];
  /** Exact argv vectors. */
  readonly exec: readonly ExecRule[];
}

/** Operator policy (Helm values → flags). It can only narrow a grant, never widen it. */
export interface Policy {
  /** Path roots file operations may touch; `undefined` means no restriction by policy. */
  readonly pathRoots?: readonly string[];
  /** `host:port` pairs or `unix:` sockets connectors may dial; `undefined` means no restriction. */
  readonly hosts?: readonly string[];
  /** argv vectors (literals, placeholders written `{name}`) allowed; `undefined` means no restriction. */
  readonly commands?: readonly (readonly string[])[];
  /** Whether connectors may use the pod's ambient cloud identity (IRSA, workload identity). */
  readonly ambientCloudIdentity?: boolean;
}

/** An empty grant: the identity of intersection and the start of every declaration. */
export const EMPTY_GRANT: Grant = Object.freeze({ read: [], write: [], dial: [], exec: [] });
