/**
 * `POST /mgmt/tm/sys/config {"command":"save"}` — `tmsh save sys config` over iControl REST.
 * Changes made through iControl REST live in the running configuration until it is saved; a
 * reboot or failover to an unsaved configuration would bring back a profile that references
 * the previous objects. So the connector saves after the swap, and deletes the previous
 * objects only once the saved configuration no longer needs them (and saves again after).
 */
import type { IControlClient } from './icontrol-client.ts';
import { serverMessage } from './http-errors.ts';

export const SYS_CONFIG_PATH = '/mgmt/tm/sys/config';
/** Saving writes the whole configuration; it can take a while on a large one. */
const SAVE_TIMEOUT_MS = 120_000;

/**
 * Saves the running configuration; returns null when saved, else why not (for the status
 * message). Without a signal it runs on its own deadline: after a committed swap the save must
 * not be cut short by the deploy's cancel.
 */
export async function saveRunningConfig(api: IControlClient, signal?: AbortSignal): Promise<string | null> {
  const save = (s: AbortSignal) => api.call('POST', SYS_CONFIG_PATH, { command: 'save' }, { signal: s, timeoutMs: SAVE_TIMEOUT_MS });
  try {
    const res = signal === undefined ? await api.onOwnDeadline(SAVE_TIMEOUT_MS, 'save sys config', save) : await save(signal);
    return res.status === 200 ? null : `HTTP ${res.status}: ${serverMessage(res)}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
