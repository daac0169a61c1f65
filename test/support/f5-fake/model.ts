/**
 * The fake BIG-IP's configuration, as plain data a test can inspect: crypto objects, client-ssl
 * profiles, uploaded files, token sessions and transactions. Plus the checks a real BIG-IP
 * makes on them (documented behaviour, not invented rules): a profile may only reference
 * existing objects, a key must belong to its certificate, an object a profile references
 * cannot be deleted. Responses follow iControl REST shapes (`kind`, `fullPath`, `selfLink`).
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export interface CertObject {
  readonly fullPath: string;
  /** One certificate, or a bundle (a chain object). */
  readonly pems: readonly string[];
}

export interface KeyObjectState {
  readonly fullPath: string;
  readonly pem: string;
}

export interface CertKeyChainEntry {
  name?: string;
  cert?: string;
  key?: string;
  chain?: string;
  [attribute: string]: unknown;
}

export interface Profile {
  readonly fullPath: string;
  certKeyChain: CertKeyChainEntry[];
  generation: number;
}

export interface Transaction {
  readonly transId: number;
  state: 'STARTED' | 'VALIDATING' | 'COMPLETED' | 'FAILED';
  readonly commands: { readonly profilePath: string; readonly body: Record<string, unknown> }[];
  failureReason: string;
}

export interface FakeState {
  readonly certs: Map<string, CertObject>;
  readonly keys: Map<string, KeyObjectState>;
  readonly profiles: Map<string, Profile>;
  /** `/var/config/rest/downloads/<name>` → bytes received so far (complete when `received === data.length`). */
  readonly uploads: Map<string, { data: Buffer; received: number }>;
  readonly tokens: Map<string, { user: string; expiresAt: number }>;
  readonly transactions: Map<number, Transaction>;
  /** The configuration as last saved (`save sys config`): what a reboot would load. */
  saved: SavedConfig;
}

export interface SavedConfig {
  readonly profiles: ReadonlyMap<string, readonly CertKeyChainEntry[]>;
  readonly objects: ReadonlySet<string>;
}

/** `save sys config`: the running configuration becomes what a reboot loads. */
export function saveConfig(state: FakeState): void {
  state.saved = {
    profiles: new Map([...state.profiles].map(([k, p]) => [k, structuredClone(p.certKeyChain)])),
    objects: new Set([...state.certs.keys(), ...state.keys.keys()]),
  };
}

export const newState = (): FakeState => ({
  certs: new Map(), keys: new Map(), profiles: new Map(), uploads: new Map(), tokens: new Map(), transactions: new Map(),
  saved: { profiles: new Map(), objects: new Set() },
});

/**
 * What would break if the device rebooted now: saved objects whose files are gone, and saved
 * profile references to objects that no longer exist. Empty when the saved configuration loads.
 */
export function savedConfigProblems(state: FakeState): string[] {
  const live = (p: string): boolean => state.certs.has(p) || state.keys.has(p);
  const out = [...state.saved.objects].filter((p) => !live(p)).map((p) => `saved object ${p} no longer exists`);
  for (const [profile, chain] of state.saved.profiles) {
    for (const e of chain) for (const p of [e.cert, e.key, e.chain]) if (typeof p === 'string' && p !== 'none' && !live(p)) out.push(`saved profile ${profile} references missing ${p}`);
  }
  return out;
}

/** An iControl error the handlers throw; the server answers `{ code, message, errorStack: [] }`. */
export class F5Error extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

/** Splits a PEM bundle; throws a 400 unless it is one or more parsable certificates and nothing else. */
export function parseCertBundle(text: string, what: string): string[] {
  const pems = text.match(PEM_CERT) ?? [];
  const rest = text.replace(PEM_CERT, '').trim();
  if (pems.length === 0 || rest !== '') throw new F5Error(400, `01070712:3: Values (${what}) specified for ssl certificate: not a PEM certificate file.`);
  for (const p of pems) {
    try {
      new X509Certificate(p);
    } catch {
      throw new F5Error(400, `01070712:3: Values (${what}) specified for ssl certificate: unable to parse certificate.`);
    }
  }
  return pems.map((p) => (p.endsWith('\n') ? p : `${p}\n`));
}

/** Parses a key file; BIG-IP SSL keys are RSA, ECDSA (P-256/P-384/P-521) or DSA. */
export function parseKey(text: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new F5Error(400, `01070313:3: Key file (${what}) is not a valid private key.`);
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'dsa') {
    throw new F5Error(400, `01070313:3: Key file (${what}) has an unsupported key type (${key.asymmetricKeyType ?? 'unknown'}).`);
  }
  return key;
}

/** Lowercase hex SHA-256 of a certificate PEM. */
export const fingerprintHex = (pem: string): string => new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase();

/** Whether `keyPem` is the private half of the certificate `certPem`. */
export function keyMatchesCert(keyPem: string, certPem: string): boolean {
  const spki = (k: KeyObject): string => k.export({ type: 'spki', format: 'der' }).toString('hex');
  return spki(createPublicKey(createPrivateKey(keyPem))) === spki(new X509Certificate(certPem).publicKey);
}

/** `name` or `/Partition/name` → `/Partition/name` (default partition Common). */
export function toFullPath(name: string, partition = 'Common'): string {
  return name.startsWith('/') ? name : `/${partition}/${name}`;
}

/** Every object path a profile's certKeyChain references. */
export function referencedPaths(profile: Profile): string[] {
  return profile.certKeyChain.flatMap((e) => [e.cert, e.key, e.chain]).filter((p): p is string => typeof p === 'string' && p !== '' && p !== 'none');
}

/**
 * Validates a certKeyChain against the objects, as BIG-IP does when a profile changes: every
 * referenced object exists, each key belongs to its certificate, at most one entry per key type.
 */
export function validateCertKeyChain(state: FakeState, profilePath: string, chain: readonly CertKeyChainEntry[]): void {
  const types = new Set<string>();
  for (const e of chain) {
    const cert = typeof e.cert === 'string' ? state.certs.get(e.cert) : undefined;
    const key = typeof e.key === 'string' ? state.keys.get(e.key) : undefined;
    if (cert === undefined) throw new F5Error(400, `01070712:3: Cert file (${String(e.cert)}) for profile ${profilePath} does not exist.`);
    if (key === undefined) throw new F5Error(400, `01070712:3: Key file (${String(e.key)}) for profile ${profilePath} does not exist.`);
    if (e.chain !== undefined && e.chain !== 'none' && e.chain !== '' && !state.certs.has(e.chain)) {
      throw new F5Error(400, `01070712:3: Chain file (${String(e.chain)}) for profile ${profilePath} does not exist.`);
    }
    if (!keyMatchesCert(key.pem, cert.pems[0] as string)) throw new F5Error(400, `010717e3:3: Client SSL profile (${profilePath}): certificate (${cert.fullPath}) and key (${key.fullPath}) do not match.`);
    const type = createPrivateKey(key.pem).asymmetricKeyType ?? 'unknown';
    if (types.has(type)) throw new F5Error(400, `010717e5:3: Client SSL profile (${profilePath}): more than one certificate/key pair of type ${type}.`);
    types.add(type);
  }
}
