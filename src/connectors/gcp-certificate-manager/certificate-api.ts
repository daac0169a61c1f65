/**
 * The four Certificate Manager calls this connector makes (get, create, update, delete) and
 * operation polling, made with the real `@google-cloud/certificate-manager` client over its
 * REST transport, with the sandbox as the transport. The library is loaded on first use, so
 * the controller does not pay for it unless a target uses this connector. Its own retries are
 * turned off: the controller owns backoff, and a library sleep would not honour our signal.
 * Its debug logging is turned off too: it would print request bodies, private key included.
 */
import type { CertificateManagerClient, protos } from '@google-cloud/certificate-manager';
import { classifyApiError, GrpcCode, readableName } from './api-errors.ts';
import type { SandboxTransport } from './sandbox-transport.ts';

type Certificate = protos.google.cloud.certificatemanager.v1.ICertificate;

/** What polling needs to know about a long-running operation. */
export interface OperationState {
  readonly name: string;
  readonly done: boolean;
  /** google.rpc.Status of a failed operation. */
  readonly error?: { readonly code: number; readonly message: string };
}

/** Which call started an operation (the library decodes each kind's result type). */
export type OperationKind = 'create' | 'update' | 'delete';

const NO_RETRIES = { retry_codes: { none: [] } };
/** Client configuration overrides: no retries inside the library, for any call we make. */
export const CLIENT_CONFIG = {
  interfaces: {
    'google.cloud.certificatemanager.v1.CertificateManager': {
      ...NO_RETRIES,
      methods: Object.fromEntries(['GetCertificate', 'CreateCertificate', 'UpdateCertificate', 'DeleteCertificate'].map((m) => [m, { retry_codes_name: 'none' }])),
    },
    'google.longrunning.Operations': { ...NO_RETRIES, methods: { GetOperation: { retry_codes_name: 'none' } } },
  },
};

/** The operation's state from whatever the library returned (raw proto or gax Operation). */
function stateOf(op: { name?: string | null; done?: boolean | null; latestResponse?: unknown; error?: unknown }): OperationState {
  const raw = (op.latestResponse ?? op) as { name?: string | null; done?: boolean | null; error?: { code?: number | null; message?: string | null } | null };
  const name = raw.name ?? op.name ?? '';
  const error = raw.error ?? undefined;
  return {
    name,
    done: raw.done === true,
    ...(error !== undefined && error !== null ? { error: { code: error.code ?? GrpcCode.UNKNOWN, message: error.message ?? '' } } : {}),
  };
}

/** The Certificate Manager calls of one deploy, classified into connector errors. */
export class CertificateApi {
  readonly #client: CertificateManagerClient;
  readonly #transport: SandboxTransport;
  readonly #signal: AbortSignal;

  private constructor(client: CertificateManagerClient, transport: SandboxTransport, signal: AbortSignal) {
    this.#client = client;
    this.#transport = transport;
    this.#signal = signal;
  }

  /** A client that speaks to `endpoint` (scheme, host and port only) through `transport`. */
  static async open(endpoint: string, transport: SandboxTransport, signal: AbortSignal): Promise<CertificateApi> {
    const [{ CertificateManagerClient: Client }, { loggingUtils }] = await Promise.all([import('@google-cloud/certificate-manager'), import('google-gax')]);
    // The library's ad-hoc debug logging (GOOGLE_SDK_NODE_LOGGING) prints whole requests, and a
    // create or update request carries the private key: switch it off, process-wide.
    loggingUtils.setBackend(null);
    const url = new URL(endpoint);
    const client = new Client({
      fallback: true,
      protocol: url.protocol.slice(0, -1),
      apiEndpoint: url.hostname,
      port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
      // The library accepts any object with getRequestHeaders + fetch as its auth client.
      auth: transport as unknown as NonNullable<ConstructorParameters<typeof Client>[0]>['auth'],
      clientConfig: CLIENT_CONFIG,
    });
    return new CertificateApi(client, transport, signal);
  }

  /**
   * Runs one library call; sandbox errors come out unwrapped, the rest classified. With
   * `notFound`, a NOT_FOUND answer from the API is that value instead of an error.
   */
  async #call<T>(what: string, run: () => Promise<T>, notFound?: () => T): Promise<T> {
    this.#signal.throwIfAborted();
    try {
      return await run();
    } catch (err) {
      if (this.#signal.aborted) throw this.#signal.reason;
      const failure = this.#transport.lastFailure;
      if (failure === undefined && notFound !== undefined && (err as { code?: unknown } | null)?.code === GrpcCode.NOT_FOUND) return notFound();
      throw classifyApiError(failure ?? err, what, this.#transport.lastStatus);
    }
  }

  /** The certificate, or null when it does not exist. */
  async get(name: string): Promise<Certificate | null> {
    return this.#call(`get ${readableName(name)}`, async () => (await this.#client.getCertificate({ name }))[0], () => null);
  }

  /** Starts creating `certificateId` under `parent`. */
  async create(parent: string, certificateId: string, certificate: Certificate): Promise<OperationState> {
    const [op] = await this.#call(`create ${readableName(`${parent}/certificates/${certificateId}`)}`, () => this.#client.createCertificate({ parent, certificateId, certificate }));
    return stateOf(op);
  }

  /** Starts updating the fields named by `paths` (update mask) of `certificate.name`. */
  async update(certificate: Certificate & { name: string }, paths: readonly string[]): Promise<OperationState> {
    const [op] = await this.#call(`update ${readableName(certificate.name)}`, () => this.#client.updateCertificate({ certificate, updateMask: { paths: [...paths] } }));
    return stateOf(op);
  }

  /** Starts deleting `name`. */
  async delete(name: string): Promise<OperationState> {
    const [op] = await this.#call(`delete ${readableName(name)}`, () => this.#client.deleteCertificate({ name }));
    return stateOf(op);
  }

  /** One operations.get, decoded by the library as the operation `kind` it started. */
  async poll(kind: OperationKind, name: string): Promise<OperationState> {
    const check = {
      create: () => this.#client.checkCreateCertificateProgress(name),
      update: () => this.#client.checkUpdateCertificateProgress(name),
      delete: () => this.#client.checkDeleteCertificateProgress(name),
    }[kind];
    return stateOf(await this.#call(`poll ${readableName(name)}`, check));
  }

  /** Releases the client (no connection of its own: the sandbox owns those). */
  async close(): Promise<void> {
    await this.#client.close();
  }
}
