/**
 * The in-memory Windows host behind the WinRM fake: IIS sites with their bindings,
 * LocalMachine\My, the user's temp directory. Imports are real PKCS#12 reads (the system
 * `openssl pkcs12` with the script's password), so a wrong password, a corrupt transfer or a
 * key that does not match fails here as it would on Windows. State is public for tests to
 * inspect and seed; `faults` injects failures.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readPkcs12 } from '../certs/index.ts';
import { ScriptError } from './ps-interpreter.ts';

export interface FakeBinding {
  protocol: 'http' | 'https';
  bindingInformation: string;
  /** Uppercase SHA-1 thumbprint, '' when no certificate is bound. */
  certificateHash: string;
  sslFlags: number;
}

export interface FakeSite {
  name: string;
  bindings: FakeBinding[];
}

export interface StoredCertificate {
  readonly thumbprint: string;
  friendlyName: string;
  hasPrivateKey: boolean;
  /** Whether the imported key belongs to this certificate. */
  keyMatches: boolean;
  /** Lowercase hex SHA-256 of the leaf and then the other certificates of the PFX, in file order. */
  chain: string[];
  /** The key PEM as the import decrypted it (the fake's "CNG key container"). */
  keyPem: string;
  /** The password the PFX was imported with (kept only so failure injection can leak it). */
  importPassword: string;
}

/** Failure injection, the fake's equivalent of a broken or slow reload. */
export interface HostFaults {
  /**
   * Certificates imported while this is set are refused by AddSslCertificate (as http.sys
   * refuses a certificate whose key it cannot use); certificates imported before stay usable,
   * so a rollback to the previous certificate works.
   */
  refuseNew: boolean;
  /** Import-PfxCertificate fails. */
  import: boolean;
  /**
   * Injected failure messages also carry the private key PEM and the PFX password, like a
   * careless host dumping what it was given: the connector must not pass them on.
   */
  leakSecrets: boolean;
  /** Binding commands stay running this long before they take effect (a terminate cancels them). */
  slowBindMs: number;
}

const sha256 = (der: Buffer): string => createHash('sha256').update(der).digest('hex');
const sha1 = (der: Buffer): string => createHash('sha1').update(der).digest('hex').toUpperCase();

export class IisHost {
  readonly sites = new Map<string, FakeSite>();
  readonly store = new Map<string, StoredCertificate>();
  readonly tempFiles = new Map<string, string>();
  /** Thumbprints imported while `faults.refuseNew` was set. */
  readonly refused = new Set<string>();
  readonly tempDir = 'C:\\Users\\deploy\\AppData\\Local\\Temp\\';
  readonly faults: HostFaults = { refuseNew: false, import: false, leakSecrets: false, slowBindMs: 0 };
  /** Count of operations that changed the host (temp files included). */
  mutations = 0;

  /** Adds a site with https bindings (no certificate) for each `bindingInformation`. */
  addSite(name: string, https: readonly string[] = ['*:443:'], sslFlags = 0): FakeSite {
    const site: FakeSite = { name, bindings: [{ protocol: 'http', bindingInformation: '*:80:', certificateHash: '', sslFlags: 0 }] };
    for (const info of https) site.bindings.push({ protocol: 'https', bindingInformation: info, certificateHash: '', sslFlags });
    this.sites.set(name.toLowerCase(), site);
    return site;
  }

  site(name: string): FakeSite | undefined {
    return this.sites.get(name.toLowerCase());
  }

  /** The certificate bound to `bindingInformation` of `site`, if any and in the store. */
  boundCertificate(site: string, bindingInformation: string): StoredCertificate | undefined {
    const b = this.site(site)?.bindings.find((x) => x.protocol === 'https' && x.bindingInformation.toLowerCase() === bindingInformation.toLowerCase());
    return b === undefined || b.certificateHash === '' ? undefined : this.store.get(b.certificateHash);
  }

  /** Import-PfxCertificate into LocalMachine\My: reads the PFX with `password`, stores leaf + key. */
  async importPfx(pfx: Buffer, password: string): Promise<void> {
    if (this.faults.import) throw new ScriptError(`Import-PfxCertificate: the operation failed (0x80090016)${this.faults.leakSecrets ? ` password=${password}` : ''}`);
    let dump;
    try {
      dump = await readPkcs12(pfx, password);
    } catch {
      throw new ScriptError('The PFX file you are trying to import requires either a different password or membership in an Active Directory principal to which it is protected.');
    }
    const keyBag = dump.bags.find((b) => b.kind === 'key');
    const certs = dump.bags.filter((b) => b.kind === 'certificate');
    const leafBag = certs.find((c) => keyBag !== undefined && c.attributes.localKeyID === keyBag.attributes.localKeyID) ?? certs[0];
    if (leafBag === undefined) throw new ScriptError('The PFX file contains no certificate.');
    const leaf = new X509Certificate(leafBag.pem);
    let keyMatches = false;
    if (keyBag !== undefined) {
      const key = createPrivateKey(keyBag.pem);
      if (key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448') throw new ScriptError('Invalid provider type specified. (0x80090014)');
      const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' }).toString('hex');
      keyMatches = spki(createPublicKey(key)) === spki(leaf.publicKey);
    }
    const others = certs.filter((c) => c !== leafBag).map((c) => sha256(new X509Certificate(c.pem).raw));
    const thumbprint = sha1(leaf.raw);
    if (this.faults.refuseNew) this.refused.add(thumbprint);
    else this.refused.delete(thumbprint);
    this.store.set(thumbprint, {
      thumbprint,
      friendlyName: leafBag.attributes.friendlyName ?? '',
      hasPrivateKey: keyBag !== undefined,
      keyMatches,
      chain: [sha256(leaf.raw), ...others],
      keyPem: keyBag?.pem ?? '',
      importPassword: password,
    });
    this.mutations++;
  }
}
