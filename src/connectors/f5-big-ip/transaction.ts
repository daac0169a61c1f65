/**
 * The profile swap, in one iControl REST transaction (F5 "Demystifying iControl REST part 7"):
 * `POST /mgmt/tm/transaction {}` gives a `transId`; the PATCH of the profile is sent with
 * `X-F5-REST-Coordination-Id: <transId>`, which queues it instead of running it; then
 * `PATCH /mgmt/tm/transaction/<transId> {"state":"VALIDATING"}` validates and applies the
 * queued commands all together or not at all. Certificate, key and chain therefore change as
 * one step: a client never sees a new certificate with the old key (f5-ansible#2493).
 *
 * On any failure before the commit completed, the transaction is discarded (DELETE), so no
 * half-built transaction lingers until its timeout.
 */
import { retryable, terminal } from '@cert-deployer/connector-sdk';
import type { IControlClient } from './icontrol-client.ts';
import { httpError, serverMessage } from './http-errors.ts';
import type { CertKeyChainEntry } from './profile-plan.ts';

export const TRANSACTION_PATH = '/mgmt/tm/transaction';
/** Validation and apply of a transaction may take a while on a loaded appliance. */
const COMMIT_TIMEOUT_MS = 120_000;
const DISCARD_TIMEOUT_MS = 10_000;

/** Replaces `profileUrl`'s certKeyChain with `certKeyChain` atomically. */
export async function swapCertKeyChain(api: IControlClient, profileUrl: string, certKeyChain: readonly CertKeyChainEntry[], signal: AbortSignal): Promise<void> {
  const created = await api.call('POST', TRANSACTION_PATH, {}, { signal });
  if (created.status !== 200) throw httpError('create transaction', created);
  const transId = (created.json as { transId?: unknown } | undefined)?.transId;
  if ((typeof transId !== 'number' && typeof transId !== 'string') || String(transId) === '') throw terminal('create transaction: BIG-IP answered without a transId');
  const id = String(transId);
  let committed = false;
  try {
    const queued = await api.call('PATCH', profileUrl, { certKeyChain }, { signal, headers: { 'x-f5-rest-coordination-id': id } });
    if (queued.status !== 200) throw httpError(`queue the profile change in transaction ${id}`, queued);
    const commit = await api.call('PATCH', `${TRANSACTION_PATH}/${id}`, { state: 'VALIDATING', validateOnly: false }, { signal, timeoutMs: COMMIT_TIMEOUT_MS });
    if (commit.status !== 200) throw httpError(`commit transaction ${id}`, commit);
    const state = (commit.json as { state?: unknown } | undefined)?.state;
    if (state === 'COMPLETED') {
      committed = true;
      return;
    }
    const reason = (commit.json as { failureReason?: unknown } | undefined)?.failureReason;
    if (state === 'FAILED') throw terminal(`commit transaction ${id}: FAILED${typeof reason === 'string' && reason !== '' ? `: ${reason}` : ''}`);
    throw retryable(`commit transaction ${id}: state is ${JSON.stringify(state)}, not COMPLETED: ${serverMessage(commit)}`);
  } finally {
    if (!committed) {
      await api.onOwnDeadline(DISCARD_TIMEOUT_MS, `discard transaction ${id}`, (s) => api.call('DELETE', `${TRANSACTION_PATH}/${id}`, undefined, { signal: s })).catch(() => undefined);
    }
  }
}
