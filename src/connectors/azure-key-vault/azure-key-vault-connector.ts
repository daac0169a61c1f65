/**
 * The `azureKeyVault` connector: imports the deployment as a new version of a Key Vault
 * certificate object (leaf, chain and key in one PKCS#12), skips when the current version
 * already holds the leaf, refuses a certificate of the same name that another owner made,
 * and deletes only its own object on `deletionPolicy: Delete`.
 *
 * Why PKCS#12 and not PEM: the import API takes both, but a PFX carries the key in PKCS#8
 * inside the file and the chain as separate bags, so there is no PEM block order to get
 * wrong (External Secrets #2109) and no PKCS#1 key to be refused (#5740); Key Vault keeps the
 * chain in the certificate's secret. The SDK (4.10) also does not send the import `policy`,
 * which PEM import needs to say `application/x-pem-file`; PFX is the default content type.
 * The PFX gets a fresh random password per import, sent in the same request body, and the
 * 3DES/SHA-1 profile: Key Vault has been reported to refuse OpenSSL 3's AES-256 profile while
 * importing 3DES ones (MicrosoftDocs/azure-docs#39861), and Key Vault re-protects the key at
 * rest itself, so the file's own cipher only guards one TLS-protected request.
 *
 * All SDK traffic goes through `Sandbox.request` (sandbox-http-client.ts); the grant is the
 * vault's `host:port` plus, when the connector fetches tokens, the authority's (the block's
 * `authorityHost`, so the operator policy must list it), plus, for workload identity, a read
 * of the projected token file (credential.ts).
 *
 * The remote object is named by the block (vault + certificate name), so `ctx.remoteId` adds
 * nothing to find it: ownership is verified on every deploy from the owner tag instead.
 */
import { randomBytes } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type { KeyVaultCertificate } from '@azure/keyvault-certificates';
import { heldCertificateOfDer, type Grant, type Sandbox, type Connector, type DeployContext, type DeployResult, terminal, type Deployment, Pkcs12Encryption, thumbprintSha1, toPkcs12, planRead, planResult, type PlanResult } from '@cert-deployer/connector-sdk';
import { classifyAzureError } from './classify-error.ts';
import type { AzureKeyVaultConfig } from './config.ts';
import { buildCredential, credentialPlan, planReads, type CredentialPlan, type Env } from './credential.ts';
import { decide, hexThumbprint, isOwnedBy, versionTags, type CurrentVersion } from './ownership.ts';
import { createSandboxTransport, type SandboxTransport } from './sandbox-http-client.ts';

/** Options beyond the CRD block, for tests and embedders. */
export interface AzureKeyVaultConnectorOptions {
  /**
   * Use this credential instead of the block's Entra flow. No token requests are made, so the
   * grant is the vault alone. The conformance suite uses it: a token request is a POST, which
   * the suite's replay check counts as a mutation.
   */
  readonly credential?: TokenCredential;
  /** The operator's environment (workload identity variables); default `process.env`. */
  readonly env?: Env;
}

/** Per-request timeout: Key Vault answers in well under a second. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How long the delete poller waits between polls (it polls once; undeploy does not wait). */
const DELETE_POLL_MS = 1_000;

/** `host:port` of an https URL, default port 443, the form the dial grant uses. */
export function dialAddressOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port === '' ? '443' : u.port}`;
}

/**
 * The grant for a block: exactly the vault, plus the authority when tokens are fetched, plus
 * the projected token file when the pod's workload identity is used.
 */
export function grantFor(config: AzureKeyVaultConfig, plan: CredentialPlan): Grant {
  const dial = [dialAddressOf(config.vaultUrl)];
  if (plan.kind !== 'injected') dial.push(dialAddressOf(plan.authorityHost));
  return Object.freeze({ read: Object.freeze(planReads(plan)), write: [], dial: Object.freeze([...new Set(dial)]), exec: [] });
}

/** The versionless certificate id: stable across rotations, kept in status as remoteId. */
export function certificateIdOf(config: AzureKeyVaultConfig): string {
  return `${config.vaultUrl.replace(/\/$/, '')}/certificates/${config.certificateName}`;
}

function currentOf(cert: KeyVaultCertificate): CurrentVersion {
  return { tags: cert.properties.tags, thumbprintSha1: hexThumbprint(cert.properties.x509Thumbprint), enabled: cert.properties.enabled, version: cert.properties.version };
}

/** Creates the connector for one target's validated block. */
export function createAzureKeyVaultConnector(config: AzureKeyVaultConfig, options: AzureKeyVaultConnectorOptions = {}): Connector {
  const plan = credentialPlan(config, options.credential !== undefined, options.env ?? process.env);
  const grant = grantFor(config, plan);
  const name = config.certificateName;
  const remoteId = certificateIdOf(config);

  /**
   * One deploy's SDK client over the sandbox, and a runner that classifies its failures. The
   * Key Vault SDK loads with the first deploy, not at start-up (issue 13, lean runtime).
   */
  async function open(sandbox: Sandbox, signal: AbortSignal, ctx: DeployContext) {
    const transport: SandboxTransport = createSandboxTransport(sandbox, { ca: config.caBundle, signal });
    const credential = await buildCredential(plan, ctx, { httpClient: transport.client, sandbox, signal, injected: options.credential });
    const { CertificateClient } = await import('@azure/keyvault-certificates');
    const client = new CertificateClient(config.vaultUrl.replace(/\/$/, ''), credential, {
      httpClient: transport.client,
      retryOptions: { maxRetries: 0 },
      disableChallengeResourceVerification: config.disableChallengeResourceVerification === true,
    });
    async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
      try {
        return await fn();
      } catch (err) {
        throw classifyAzureError(err, { operation, lastTransportFailure: transport.lastFailure(), signal });
      }
    }
    /** The latest version as the SDK returns it, or null when the name holds no (live) certificate. */
    async function latest(): Promise<KeyVaultCertificate | null> {
      return run(`reading certificate ${name}`, async () => {
        try {
          return await client.getCertificate(name, { abortSignal: signal, requestOptions: { timeout: REQUEST_TIMEOUT_MS } });
        } catch (err) {
          if ((err as { statusCode?: unknown }).statusCode === 404) return null;
          throw err;
        }
      });
    }
    /** The latest version, or null when the name holds no (live) certificate. */
    async function current(): Promise<CurrentVersion | null> {
      const cert = await latest();
      return cert === null ? null : currentOf(cert);
    }
    return { client, run, current, latest };
  }

  return {
    name: 'azureKeyVault',
    capabilities: () => grant,

    async deploy(signal: AbortSignal, sandbox: Sandbox, dep: Deployment, ctx: DeployContext): Promise<DeployResult> {
      signal.throwIfAborted();
      if (dep.keyAlgorithm === 'ed25519') {
        throw terminal('Azure Key Vault certificates take RSA or EC (P-256/P-384/P-521) keys; this certificate has an Ed25519 key');
      }
      const vault = await open(sandbox, signal, ctx);
      const decision = decide(await vault.current(), thumbprintSha1(dep), ctx.ownerId);
      if (decision.kind === 'foreign') {
        const who = decision.owner === undefined ? 'has no certdeployer.io-owner tag' : `is owned by ${decision.owner}`;
        throw terminal(`certificate ${name} already exists in ${config.vaultUrl} and ${who}; refusing to add a version to a certificate this target did not create (choose another certificateName, or tag it certdeployer.io-owner=${ctx.ownerId} to adopt it)`);
      }
      if (decision.kind === 'current') {
        return { changed: false, remoteId, message: `${name} version ${decision.version ?? '?'} already holds ${dep.fingerprint.slice(0, 12)}` };
      }

      const password = randomBytes(24).toString('base64url');
      const pfx = toPkcs12(dep, { password, friendlyName: name, encryption: Pkcs12Encryption.Legacy3Des });
      const imported = await vault.run(`importing certificate ${name}`, async () => {
        // reveal() only here: the bytes go into the import request body, then are wiped.
        const bytes = pfx.reveal();
        try {
          return await vault.client.importCertificate(name, bytes, {
            password,
            tags: versionTags(config.tags, ctx.ownerId),
            abortSignal: signal,
            requestOptions: { timeout: REQUEST_TIMEOUT_MS },
          });
        } finally {
          bytes.fill(0);
        }
      });
      return { changed: true, remoteId, message: `imported ${dep.fingerprint.slice(0, 12)} as version ${imported.properties.version ?? '?'} of ${name} (${decision.why})` };
    },

    // Drift: the current version's certificate (GET only; the token request is a read for the
    // read-only sandbox). A disabled current version is not served by anything reading the name.
    async inspect(signal, sandbox, ctx) {
      signal.throwIfAborted();
      const cert = await (await open(sandbox, signal, ctx)).latest();
      if (cert === null) return { active: null, message: `${name} does not exist in ${config.vaultUrl}` };
      const version = cert.properties.version ?? '?';
      if (cert.properties.enabled === false) return { active: null, message: `the current version ${version} of ${name} is disabled` };
      const held = cert.cer === undefined ? null : heldCertificateOfDer(cert.cer);
      return { active: held, message: held ? `${name} version ${version} holds ${held.fingerprint.slice(0, 12)}…` : `${name} version ${version} has no readable certificate` };
    },

    /**
     * Plan mode: the same read and decision as deploy (`decide`), then the one import it would
     * make. The vault read needs an Azure AD token (a POST); when the plan sandbox refuses it,
     * whether the vault already holds the certificate is reported as unpredictable.
     */
    async plan(signal: AbortSignal, sandbox: Sandbox, dep: Deployment, ctx: DeployContext): Promise<PlanResult> {
      signal.throwIfAborted();
      const vault = await open(sandbox, signal, ctx);
      const into = `${config.vaultUrl.replace(/\/+$/, '')}/certificates/${name}`;
      const importAction = { kind: 'import' as const, into, resource: 'new certificate version (PKCS#12 import)' };
      const seen = await planRead(() => vault.current());
      if (!seen.ok) return planResult([{ kind: 'unpredictable', what: `whether ${name} already holds this certificate`, why: seen.why }, importAction]);
      const decision = decide(seen.value, thumbprintSha1(dep), ctx.ownerId);
      if (decision.kind === 'foreign') return planResult([{ kind: 'unpredictable', what: `the import into ${name}`, why: 'the certificate exists and this target does not own it: deploy will refuse' }]);
      if (decision.kind === 'current') return planResult([], `${name} version ${decision.version ?? '?'} already holds ${dep.fingerprint.slice(0, 12)}`);
      return planResult([importAction]);
    },

    async undeploy(signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext): Promise<void> {
      signal.throwIfAborted();
      const vault = await open(sandbox, signal, ctx);
      const current = await vault.current();
      // Never deployed, already deleted, or someone else's: nothing of ours to remove.
      if (current === null || !isOwnedBy(current, ctx.ownerId)) return;
      await vault.run(`deleting certificate ${name}`, async () => {
        try {
          await vault.client.beginDeleteCertificate(name, { abortSignal: signal, intervalInMs: DELETE_POLL_MS, requestOptions: { timeout: REQUEST_TIMEOUT_MS } });
        } catch (err) {
          if ((err as { statusCode?: unknown }).statusCode !== 404) throw err;
        }
      });
    },
  };
}
