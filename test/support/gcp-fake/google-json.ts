/**
 * The JSON shapes of Google's REST APIs that the fake answers with, as documented: the error
 * envelope (`{"error":{"code","message","status"}}`, https://cloud.google.com/apis/design/errors),
 * google.longrunning.Operation with `Any` payloads carrying `@type`, and the Certificate
 * resource with its output-only fields (selfManaged is input-only and never returned).
 */

/** HTTP status → canonical google.rpc.Code name and number, for the error envelope. */
export const STATUS_OF_HTTP: Readonly<Record<number, readonly [string, number]>> = {
  400: ['INVALID_ARGUMENT', 3],
  401: ['UNAUTHENTICATED', 16],
  403: ['PERMISSION_DENIED', 7],
  404: ['NOT_FOUND', 5],
  409: ['ALREADY_EXISTS', 6],
  429: ['RESOURCE_EXHAUSTED', 8],
  500: ['INTERNAL', 13],
  503: ['UNAVAILABLE', 14],
  504: ['DEADLINE_EXCEEDED', 4],
};

/** The documented error envelope for `httpStatus`. */
export function errorBody(httpStatus: number, message: string, status?: string): Record<string, unknown> {
  const [name] = STATUS_OF_HTTP[httpStatus] ?? ['UNKNOWN', 2];
  return { error: { code: httpStatus, message, status: status ?? name } };
}

export const TYPE_PREFIX = 'type.googleapis.com/';
export const CERTIFICATE_TYPE = `${TYPE_PREFIX}google.cloud.certificatemanager.v1.Certificate`;
export const OPERATION_METADATA_TYPE = `${TYPE_PREFIX}google.cloud.certificatemanager.v1.OperationMetadata`;
export const EMPTY_TYPE = `${TYPE_PREFIX}google.protobuf.Empty`;

/** A certificate as the fake stores it (the key too, so tests can check it matches). */
export interface StoredCertificate {
  readonly name: string;
  description: string;
  labels: Record<string, string>;
  pemCertificate: string;
  pemPrivateKey: string;
  readonly createTime: string;
  updateTime: string;
  expireTime: string;
  sanDnsnames: string[];
  /** Set for a Google-managed certificate (seeded by tests; the fake never creates one). */
  managed?: { domains: string[]; state: number };
}

/** The Certificate resource as GET returns it: output fields, no selfManaged, no key. */
export function certificateJson(c: StoredCertificate): Record<string, unknown> {
  return {
    name: c.name,
    ...(c.description === '' ? {} : { description: c.description }),
    createTime: c.createTime,
    updateTime: c.updateTime,
    ...(Object.keys(c.labels).length === 0 ? {} : { labels: { ...c.labels } }),
    ...(c.managed === undefined ? {} : { managed: c.managed }),
    sanDnsnames: [...c.sanDnsnames],
    ...(c.pemCertificate === '' ? {} : { pemCertificate: c.pemCertificate }),
    ...(c.expireTime === '' ? {} : { expireTime: c.expireTime }),
  };
}

/** One long-running operation as operations.get returns it. */
export interface OperationJson {
  name: string;
  metadata: Record<string, unknown>;
  done: boolean;
  response?: Record<string, unknown>;
  error?: { code: number; message: string };
}
