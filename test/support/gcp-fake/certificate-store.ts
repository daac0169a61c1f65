/**
 * The fake's Certificate Manager state: certificates by resource name and the long-running
 * operations that change them. Create, update (by update mask) and delete return an operation
 * that completes after `pollsUntilDone` operations.get calls; its effect lands on completion,
 * as on the real service. Per certificate, a test can make operations fail (`reject`: the
 * service refuses the certificate and, adversarially, echoes the key in its message) or never
 * finish (`hang`). No HTTP here: gcp-fake.ts maps requests onto these methods.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { CERTIFICATE_TYPE, certificateJson, EMPTY_TYPE, OPERATION_METADATA_TYPE, type OperationJson, type StoredCertificate } from './google-json.ts';

export type OperationOutcome = 'ok' | 'reject' | 'hang';
/** A refused request: HTTP status and message for the error envelope. */
export type Refusal = { readonly refused: true; readonly status: number; readonly message: string };
type Verb = 'create' | 'update' | 'delete';

interface PendingOperation {
  readonly json: OperationJson;
  pollsLeft: number;
  readonly outcome: OperationOutcome;
  readonly apply: () => Record<string, unknown>;
  readonly echo: string;
}

const refuse = (status: number, message: string): Refusal => ({ refused: true, status, message });
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** Mask paths the fake accepts, in the camelCase form (snake_case is normalised). */
const UPDATABLE = new Set(['selfManaged', 'labels', 'description']);

function camel(path: string): string {
  return path.trim().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Parsed and checked self-managed data, or why the service would refuse it. */
function checkSelfManaged(body: Record<string, unknown>): { pemCertificate: string; pemPrivateKey: string; leaf: X509Certificate } | Refusal {
  const sm = body.selfManaged as { pemCertificate?: unknown; pemPrivateKey?: unknown } | undefined;
  if (typeof sm?.pemCertificate !== 'string' || typeof sm.pemPrivateKey !== 'string' || sm.pemCertificate === '' || sm.pemPrivateKey === '') {
    return refuse(400, 'selfManaged.pemCertificate and selfManaged.pemPrivateKey are required.');
  }
  const blocks = sm.pemCertificate.match(PEM_CERT) ?? [];
  try {
    const chain = blocks.map((b) => new X509Certificate(b));
    const leaf = chain[0];
    if (leaf === undefined) return refuse(400, 'The certificate could not be parsed.');
    if (!leaf.checkPrivateKey(createPrivateKey(sm.pemPrivateKey))) return refuse(400, 'The private key does not match the certificate.');
    return { pemCertificate: sm.pemCertificate, pemPrivateKey: sm.pemPrivateKey, leaf };
  } catch {
    return refuse(400, 'The certificate or the private key could not be parsed.');
  }
}

function sanOf(leaf: X509Certificate): string[] {
  return (leaf.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
}

export class CertificateStore {
  readonly certificates = new Map<string, StoredCertificate>();
  readonly #operations = new Map<string, PendingOperation>();
  readonly #outcomes = new Map<string, OperationOutcome>();
  readonly #pendingCreates = new Set<string>();
  #next = 1;
  /**
   * How many later API requests (polls, usually) an operation takes to finish; 0 = done in the
   * create/update/delete response. Every request moves every running operation on, as time
   * would on the real service: an operation finishes even when nobody polls it.
   */
  pollsUntilDone = 1;

  readonly now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.now = now;
  }

  setOutcome(certificateName: string, outcome: OperationOutcome): void {
    this.#outcomes.set(certificateName, outcome);
  }

  create(parent: string, id: string, body: Record<string, unknown>): OperationJson | Refusal {
    if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(id)) return refuse(400, `Invalid certificate id "${id}".`);
    const name = `${parent}/certificates/${id}`;
    if (this.certificates.has(name) || this.#pendingCreates.has(name)) return refuse(409, `Resource '${name}' already exists`);
    const sm = checkSelfManaged(body);
    if ('refused' in sm) return sm;
    this.#pendingCreates.add(name);
    const at = this.now().toISOString();
    return this.#start(parent, name, 'create', sm.pemPrivateKey, () => {
      this.#pendingCreates.delete(name);
      const cert: StoredCertificate = {
        name, description: typeof body.description === 'string' ? body.description : '', labels: { ...(body.labels as Record<string, string> | undefined) },
        pemCertificate: sm.pemCertificate, pemPrivateKey: sm.pemPrivateKey, createTime: at, updateTime: at,
        expireTime: sm.leaf.validToDate.toISOString(), sanDnsnames: sanOf(sm.leaf),
      };
      this.certificates.set(name, cert);
      return { '@type': CERTIFICATE_TYPE, ...certificateJson(cert) };
    }, () => this.#pendingCreates.delete(name));
  }

  update(name: string, mask: readonly string[], body: Record<string, unknown>): OperationJson | Refusal {
    const cert = this.certificates.get(name);
    if (cert === undefined) return refuse(404, `Resource '${name}' was not found`);
    const paths = mask.map(camel).filter((p) => p !== '');
    if (paths.length === 0) return refuse(400, 'update_mask is required.');
    const unknown = paths.filter((p) => !UPDATABLE.has(p));
    if (unknown.length > 0) return refuse(400, `Invalid update_mask path(s): ${unknown.join(', ')}`);
    if (cert.managed !== undefined && paths.includes('selfManaged')) return refuse(400, 'A managed certificate cannot be given self-managed data.');
    const sm = paths.includes('selfManaged') ? checkSelfManaged(body) : null;
    if (sm !== null && 'refused' in sm) return sm;
    const parent = name.split('/certificates/')[0] as string;
    return this.#start(parent, name, 'update', sm?.pemPrivateKey ?? '', () => {
      if (sm !== null) Object.assign(cert, { pemCertificate: sm.pemCertificate, pemPrivateKey: sm.pemPrivateKey, expireTime: sm.leaf.validToDate.toISOString(), sanDnsnames: sanOf(sm.leaf) });
      if (paths.includes('labels')) cert.labels = { ...(body.labels as Record<string, string> | undefined) };
      if (paths.includes('description')) cert.description = typeof body.description === 'string' ? body.description : '';
      cert.updateTime = this.now().toISOString();
      return { '@type': CERTIFICATE_TYPE, ...certificateJson(cert) };
    });
  }

  delete(name: string): OperationJson | Refusal {
    if (!this.certificates.has(name)) return refuse(404, `Resource '${name}' was not found`);
    const parent = name.split('/certificates/')[0] as string;
    return this.#start(parent, name, 'delete', '', () => {
      this.certificates.delete(name);
      return { '@type': EMPTY_TYPE };
    });
  }

  /** One unit of time: every running operation (except hanging ones) moves one step on. */
  tick(): void {
    for (const op of this.#operations.values()) {
      if (op.json.done || op.outcome === 'hang') continue;
      op.pollsLeft--;
      if (op.pollsLeft <= 0) this.#complete(op);
    }
  }

  /** operations.get. */
  getOperation(name: string): OperationJson | null {
    const op = this.#operations.get(name);
    return op === undefined ? null : structuredClone(op.json);
  }

  #start(parent: string, target: string, verb: Verb, echo: string, apply: () => Record<string, unknown>, onReject?: () => void): OperationJson {
    const name = `${parent}/operations/operation-${this.#next++}-${verb}`;
    const outcome = this.#outcomes.get(target) ?? 'ok';
    const json: OperationJson = { name, metadata: { '@type': OPERATION_METADATA_TYPE, createTime: this.now().toISOString(), target, verb, apiVersion: 'v1' }, done: false };
    const op: PendingOperation = { json, pollsLeft: this.pollsUntilDone, outcome, echo, apply: outcome === 'reject' ? () => (onReject?.(), {}) : apply };
    this.#operations.set(name, op);
    if (op.pollsLeft <= 0 && outcome !== 'hang') this.#complete(op);
    return structuredClone(json);
  }

  #complete(op: PendingOperation): void {
    const response = op.apply();
    op.json.done = true;
    op.json.metadata.endTime = this.now().toISOString();
    if (op.outcome === 'reject') op.json.error = { code: 3, message: `The certificate was rejected: cannot use the private key ${op.echo}` };
    else op.json.response = response;
  }
}
