/**
 * The `f5BigIp` connector: deploys a certificate to an F5 BIG-IP client-ssl profile through
 * iControl REST, in the order that keeps traffic safe at every step:
 * 1. read the profile (HTTP Basic GETs only): when it already uses this deployment's objects
 *    and the certificate object holds this fingerprint, stop — zero mutating requests;
 * 2. log in for a token; upload and install certificate, key and chain as NEW objects named
 *    `<prefix>-<owner>-<fingerprint>` (nothing in use is modified);
 * 3. swap the profile's certKeyChain entry to them in ONE transaction;
 * 4. save the configuration (`tmsh save sys config`), and only then delete this target's
 *    previous objects — the saved configuration no longer needs them — and save again;
 * 5. on any failure before the swap completed, delete the new objects again: the profile
 *    never stopped using the previous ones. The token is deleted at the end, always.
 * `undeploy` cannot detach a certificate (a client-ssl profile needs one), so it leaves the
 * profile as it is and removes only this target's objects the profile does not use.
 */
import { clockOf, type InspectContext, type InspectResult, type Grant, type Sandbox, type Connector, type DeployContext, type DeployResult, retryable, terminal, type Deployment, type SecretValue, planResult, type PlanResult } from '@cert-deployer/connector-sdk';
import type { F5BigIpConfig } from './config.ts';
import { certFingerprint } from './crypto-objects.ts';
import { httpError } from './http-errors.ts';
import { IControlClient } from './icontrol-client.ts';
import { cleanup, deleteObjects, installObjects, planObjects } from './install-objects.ts';
import { fullPath, objectNames, ownerHash, urlPath } from './object-names.ts';
import { certKeyChainOf, chainOf, pickEntry, planProfile, type DesiredObjects } from './profile-plan.ts';
import { saveRunningConfig } from './save-config.ts';
import { sweepOwnedObjects } from './sweep.ts';
import { swapCertKeyChain } from './transaction.ts';
import { f5SwapActions } from './f5-plan.ts';

export const CONNECTOR_NAME = 'f5BigIp';
const PROFILE_BASE = '/mgmt/tm/ltm/profile/client-ssl';

/** The username and password from the referenced Secret, or a terminal error naming what is missing. */
function credentialsOf(config: F5BigIpConfig, ctx: DeployContext): { username: string; password: SecretValue } {
  const name = config.credentialsRef.name;
  const secret = ctx.secrets?.get(name);
  if (secret === undefined) throw terminal(`credentials Secret ${JSON.stringify(name)} was not found`);
  const username = secret.username?.reveal().trim();
  const password = secret.password;
  if (username === undefined || username === '' || password === undefined || password.reveal() === '') {
    throw terminal(`credentials Secret ${JSON.stringify(name)} must hold non-empty "username" and "password" keys`);
  }
  return { username, password };
}

/** Creates the connector for one target's validated configuration. */
export function createF5BigIpConnector(config: F5BigIpConfig): Connector {
  const grant: Grant = Object.freeze({ read: [], write: [], dial: [config.address], exec: [] });
  const profilePath = fullPath(config.partition, config.clientSslProfile);
  const profileUrl = `${PROFILE_BASE}/${urlPath(profilePath)}`;
  const path = (name: string): string => fullPath(config.partition, name);

  const client = (sandbox: Sandbox, ctx: DeployContext): IControlClient =>
    new IControlClient({ sandbox, address: config.address, ca: config.caBundle, ...credentialsOf(config, ctx), clock: clockOf(ctx) });

  /** The profile's JSON; a missing profile is terminal (the connector never creates one). */
  async function readProfile(api: IControlClient, signal: AbortSignal, missingOk = false): Promise<unknown> {
    const res = await api.get(profileUrl, { signal });
    if (res.status === 404 && missingOk) return undefined;
    if (res.status === 404) throw terminal(`client-ssl profile ${profilePath} does not exist on ${config.address}; create it (and attach it to the virtual server) first`);
    if (res.status !== 200) throw httpError(`read client-ssl profile ${profilePath}`, res);
    return res.json;
  }

  /** After a failed swap: unless the profile uses the new objects after all, delete them. */
  async function rollBack(api: IControlClient, desired: DesiredObjects, installed: Parameters<typeof deleteObjects>[1]): Promise<void> {
    const profile = await cleanup(api, (s) => readProfile(api, s)).catch(() => null);
    if (profile === null) return; // cannot tell: leave them; the next deploy deletes leftovers
    const inUse = certKeyChainOf(profile, profilePath).some((e) => e.cert === desired.cert);
    if (!inUse) await deleteObjects(api, installed);
  }

  async function deployWith(api: IControlClient, signal: AbortSignal, dep: Deployment, ctx: DeployContext): Promise<DeployResult> {
    const names = objectNames(config.objectPrefix, ctx.ownerId, dep.fingerprint);
    const desired: DesiredObjects = { cert: path(names.cert), key: path(names.key), chain: dep.chainPem.length > 1 ? path(names.chain) : null };
    const plan = planProfile(await readProfile(api, signal), desired, profilePath, config.certKeyChainName);

    if (plan.kind === 'current') {
      const held = await certFingerprint(api, desired.cert, signal);
      if (held === dep.fingerprint || held === 'unreported') {
        return { changed: false, remoteId: profilePath, message: `${profilePath} already uses ${desired.cert}` };
      }
      throw terminal(`${profilePath} uses ${desired.cert}, but that object holds a different certificate than fingerprint ${dep.fingerprint.slice(0, 12)}…; remove it or change objectPrefix`);
    }

    const objects = planObjects(dep, names, desired);
    const { installed, uploadsRemoved } = await installObjects(api, objects, signal);
    try {
      await swapCertKeyChain(api, profileUrl, plan.certKeyChain, signal);
    } catch (err) {
      await rollBack(api, desired, installed);
      throw err;
    }

    // The swap committed: the deploy succeeded. What follows runs on its own deadline and only adds notes.
    const notes: string[] = [];
    const keep = new Set([desired.cert, desired.key, ...(desired.chain === null ? [] : [desired.chain])]);
    if (!config.saveConfig) {
      notes.push('configuration not saved (saveConfig: false); previous objects kept');
    } else {
      const unsaved = await saveRunningConfig(api);
      if (unsaved !== null) {
        // The saved configuration still references the previous objects: deleting them could break a reboot.
        notes.push(`configuration NOT saved (${unsaved}); previous objects kept; run "tmsh save sys config"`);
      } else {
        const swept = await cleanup(api, (s) => sweepOwnedObjects(api, { partition: config.partition, ownerPrefix: names.ownerPrefix, keep, signal: s })).catch(() => null);
        if (swept === null) notes.push('previous objects not removed (will retry on the next change)');
        else if (swept.deleted.length > 0) {
          notes.push(`removed ${swept.deleted.length} previous object(s)`);
          const again = await saveRunningConfig(api);
          if (again !== null) notes.push(`saving after the removal failed (${again})`);
        }
      }
    }
    const foreign = plan.previous.filter((p) => !p.startsWith(`/${config.partition}/${names.ownerPrefix}`));
    if (foreign.length > 0) notes.push(`left objects it did not create in place: ${[...new Set(foreign)].join(', ')}`);
    if (!uploadsRemoved) notes.push('uploaded files stay in /var/config/rest/downloads (unix-rm refused)');
    const message = `swapped ${profilePath} (${plan.entryName}) to ${desired.cert} in one transaction${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`;
    return { changed: true, remoteId: profilePath, message };
  }

  /**
   * Drift: which certificate the profile's managed certKeyChain entry binds (HTTP Basic GETs
   * only, no login), and whether this deployment's own object still exists unbound. BIG-IP
   * reports each certificate object's SHA-256; an object that reports none gives no verdict.
   */
  async function inspectWith(api: IControlClient, signal: AbortSignal, ctx: InspectContext): Promise<InspectResult> {
    const entries = certKeyChainOf(await readProfile(api, signal), profilePath);
    const bound = entries.length === 0 ? undefined : entries[pickEntry(entries, config.certKeyChainName, profilePath)]?.cert;
    const ours = path(objectNames(config.objectPrefix, ctx.ownerId, ctx.fingerprint).cert);
    const held = bound === undefined ? null : await certFingerprint(api, bound, signal);
    if (held === 'unreported') throw retryable(`BIG-IP reports no SHA-256 fingerprint for ${bound}; cannot tell what ${profilePath} serves`);
    const oursInstalled = bound !== ours && (await certFingerprint(api, ours, signal)) === ctx.fingerprint;
    const what = bound === undefined ? `${profilePath} binds no certificate` : held === null ? `${profilePath} binds ${bound}, which does not exist` : `${profilePath} binds ${bound} (${held.slice(0, 12)}…)`;
    return { active: held === null ? null : { fingerprint: held }, expectedInstalled: oursInstalled, message: oursInstalled ? `${what}; ${ours} is installed but not bound` : what };
  }

  /** Plan mode: deploy's reads (Basic GETs) and decision, then its steps (f5-plan.ts); no login. */
  async function planWith(api: IControlClient, signal: AbortSignal, dep: Deployment, ctx: DeployContext): Promise<PlanResult> {
    const names = objectNames(config.objectPrefix, ctx.ownerId, dep.fingerprint);
    const desired: DesiredObjects = { cert: path(names.cert), key: path(names.key), chain: dep.chainPem.length > 1 ? path(names.chain) : null };
    const plan = planProfile(await readProfile(api, signal), desired, profilePath, config.certKeyChainName);
    if (plan.kind === 'current') {
      const held = await certFingerprint(api, desired.cert, signal);
      if (held === dep.fingerprint || held === 'unreported') return planResult([], `${profilePath} already uses ${desired.cert}`);
      return planResult([{ kind: 'unpredictable', what: `the swap of ${profilePath}`, why: `${desired.cert} holds a different certificate: deploy will refuse` }]);
    }
    return planResult(f5SwapActions({ profilePath, entryName: plan.entryName, desired, saveConfig: config.saveConfig }));
  }

  return {
    name: CONNECTOR_NAME,
    capabilities: () => grant,

    async inspect(signal, sandbox, ctx) {
      signal.throwIfAborted();
      const api = client(sandbox, ctx);
      try {
        return await inspectWith(api, signal, ctx);
      } finally {
        await api.logout();
      }
    },

    async plan(signal: AbortSignal, sandbox: Sandbox, dep: Deployment, ctx: DeployContext): Promise<PlanResult> {
      signal.throwIfAborted();
      if (dep.keyAlgorithm === 'ed25519') throw terminal('BIG-IP SSL profiles take RSA, ECDSA or DSA keys, not Ed25519: issue this certificate with an RSA or ECDSA key');
      // Reads only: no login, so no token to delete (logout() is a no-op without a session).
      return planWith(client(sandbox, ctx), signal, dep, ctx);
    },

    async deploy(signal: AbortSignal, sandbox: Sandbox, dep: Deployment, ctx: DeployContext): Promise<DeployResult> {
      signal.throwIfAborted();
      if (dep.keyAlgorithm === 'ed25519') {
        throw terminal('BIG-IP SSL profiles take RSA, ECDSA or DSA keys, not Ed25519: issue this certificate with an RSA or ECDSA key');
      }
      const api = client(sandbox, ctx);
      try {
        return await deployWith(api, signal, dep, ctx);
      } finally {
        await api.logout();
      }
    },

    async undeploy(signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext): Promise<void> {
      signal.throwIfAborted();
      const api = client(sandbox, ctx);
      try {
        const profile = await readProfile(api, signal, true);
        const inUse = profile === undefined ? [] : certKeyChainOf(profile, profilePath).flatMap((e) => [e.cert, e.key, chainOf(e)]);
        const keep = new Set(inUse.filter((p): p is string => typeof p === 'string'));
        const ownerPrefix = `${config.objectPrefix}-${ownerHash(ctx.ownerId)}-`;
        const swept = await sweepOwnedObjects(api, { partition: config.partition, ownerPrefix, keep, signal });
        if (swept.deleted.length > 0 && config.saveConfig) {
          const unsaved = await saveRunningConfig(api, signal);
          if (unsaved !== null) throw retryable(`removed ${swept.deleted.length} object(s) but could not save the configuration: ${unsaved}`);
        }
      } finally {
        await api.logout();
      }
    },
  };
}
