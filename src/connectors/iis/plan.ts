/**
 * Pure decisions of the IIS connector: read what the host reported (sites, https bindings,
 * LocalMachine\My), and decide what a deploy must change — import or not, which bindings to
 * update or create, which of this target's own earlier certificates are now unused and may
 * go. Everything here is data in, data out, so every rule is unit-tested without a host.
 */
import { ConnectorError, ErrorCode, hasCode } from '@cert-deployer/connector-sdk';
import { z } from 'zod';
import type { IisBinding, IisConfig } from './config.ts';
import type { NewBinding } from './scripts.ts';

const THUMBPRINT = /^[0-9A-Fa-f]{40}$/;

/** What the query script prints (ConvertTo-Json of sites, bindings and certificates). */
export const hostState = z.object({
  sites: z.array(z.string()),
  bindings: z.array(z.object({
    site: z.string(),
    bindingInformation: z.string(),
    certificateHash: z.string().nullable().transform((h) => (h ?? '').toUpperCase()),
    sslFlags: z.int().min(0),
  })),
  certificates: z.array(z.object({
    thumbprint: z.string().regex(THUMBPRINT).transform((t) => t.toUpperCase()),
    friendlyName: z.string().nullable().transform((n) => n ?? ''),
    hasPrivateKey: z.boolean(),
  })),
});
export type HostState = z.infer<typeof hostState>;

/** `bindingInformation` of a configured binding, as IIS stores it: `ip:port:host`. */
export function bindingInformationOf(b: IisBinding): string {
  return `${b.ipAddress}:${b.port}:${b.hostHeader ?? ''}`;
}

/** The friendly name that marks a certificate as imported by this target (its ownership tag). */
export function ownerTag(ownerId: string): string {
  const clean = ownerId.replace(/[^\u0020-\u007e]/g, '?');
  return `cert-deployer ${clean}`.slice(0, 256);
}

/** A change to one https binding, with what it held before (for rollback). */
export type BindingOp =
  | { readonly kind: 'update'; readonly bindingInformation: string; readonly previous: string }
  | { readonly kind: 'create'; readonly bindingInformation: string; readonly binding: NewBinding };

export interface DeployPlan {
  /** The site's name as IIS spells it. */
  readonly site: string;
  /** Whether the certificate must be imported (absent, or present without its key). */
  readonly importNeeded: boolean;
  /** Whether LocalMachine\My held the thumbprint before (then a rollback must not remove it). */
  readonly storeHadCertificate: boolean;
  readonly ops: readonly BindingOp[];
  /** Thumbprints of this target's own certificates that no binding will use. */
  readonly removals: readonly string[];
}

/** Why no plan is possible: the configuration does not fit the host. Terminal. */
export class PlanError extends ConnectorError {
  constructor(message: string) {
    super(message, { retryable: false });
    this.name = 'PlanError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === 'PlanError' && hasCode(value, ErrorCode.Connector);
  }
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
/** SslFlags bit 2: the binding reads its certificate from the Centralized Certificate Store. */
const SSL_FLAG_CCS = 2;
/** SslFlags bit 1: Server Name Indication required (IIS 8+); set on bindings with a host name. */
const SSL_FLAG_SNI = 1;

/**
 * Certificates carrying `tag`, other than `keep`, that no binding of any site uses once
 * `boundAfter` (bindingInformation of `site` → thumbprint) is applied.
 */
export function unusedOwned(state: HostState, tag: string, keep: string, site: string, boundAfter: ReadonlyMap<string, string>): string[] {
  const inUse = new Set<string>();
  for (const b of state.bindings) {
    const changed = same(b.site, site) ? [...boundAfter].find(([info]) => same(info, b.bindingInformation)) : undefined;
    const hash = changed === undefined ? b.certificateHash : changed[1];
    if (hash !== '') inUse.add(hash);
  }
  for (const hash of boundAfter.values()) if (hash !== '') inUse.add(hash);
  return state.certificates.filter((c) => c.friendlyName === tag && c.thumbprint !== keep && !inUse.has(c.thumbprint)).map((c) => c.thumbprint);
}

/** Decides what deploying `thumbprint` to the configured site's bindings changes. */
export function planDeploy(state: HostState, config: IisConfig, thumbprint: string, tag: string): DeployPlan {
  const want = thumbprint.toUpperCase();
  const site = state.sites.find((s) => same(s, config.siteName));
  if (site === undefined) throw new PlanError(`IIS has no site named ${JSON.stringify(config.siteName)}`);
  const existing = state.bindings.filter((b) => same(b.site, site));
  const ops: BindingOp[] = [];
  const boundAfter = new Map<string, string>();
  if (config.bindings === undefined) {
    if (existing.length === 0) throw new PlanError(`site ${JSON.stringify(site)} has no https binding; list the bindings to create under iis.bindings`);
    for (const b of existing) {
      boundAfter.set(b.bindingInformation, want);
      if (b.certificateHash !== want) ops.push({ kind: 'update', bindingInformation: b.bindingInformation, previous: b.certificateHash });
    }
  } else {
    for (const wanted of config.bindings) {
      const info = bindingInformationOf(wanted);
      if ([...boundAfter.keys()].some((k) => same(k, info))) continue;
      const found = existing.find((b) => same(b.bindingInformation, info));
      boundAfter.set(found?.bindingInformation ?? info, want);
      if (found === undefined) {
        const hostHeader = wanted.hostHeader ?? '';
        ops.push({ kind: 'create', bindingInformation: info, binding: { ipAddress: wanted.ipAddress, port: wanted.port, hostHeader, sslFlags: hostHeader === '' ? 0 : SSL_FLAG_SNI, bindingInformation: info } });
      } else if (found.certificateHash !== want) {
        ops.push({ kind: 'update', bindingInformation: found.bindingInformation, previous: found.certificateHash });
      }
    }
  }
  const ccs = existing.filter((b) => [...boundAfter.keys()].some((k) => same(k, b.bindingInformation)) && (b.sslFlags & SSL_FLAG_CCS) !== 0);
  if (ccs.length > 0) throw new PlanError(`binding ${ccs[0]?.bindingInformation} of site ${JSON.stringify(site)} uses the Centralized Certificate Store, which this connector does not manage`);
  const stored = state.certificates.find((c) => c.thumbprint === want);
  const removals = config.removeOldCertificate ? unusedOwned(state, tag, want, site, boundAfter) : [];
  return { site, importNeeded: stored === undefined || !stored.hasPrivateKey, storeHadCertificate: stored !== undefined, ops, removals };
}

/** True when the plan changes nothing: the replay of a completed deploy. */
export function isNoop(plan: DeployPlan): boolean {
  return !plan.importNeeded && plan.ops.length === 0 && plan.removals.length === 0;
}
