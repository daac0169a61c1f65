/**
 * Runs `Connector.inspect` the way the controller does: a real checked sandbox on the
 * connector's declared grant, wrapped read-only. Returns the result and how many mutating
 * operations the connector attempted (the read-only sandbox counts and denies them).
 */
import type { Connector, DeployContext } from '../../../packages/connector-sdk/src/connector.ts';
import type { InspectResult } from '../../../packages/connector-sdk/src/inspect.ts';
import { createSandbox } from '../../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import { LocalHost } from '../../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import { readOnlySandbox } from '../../../packages/connector-sdk/src/sandbox/read-only-sandbox.ts';

const host = new LocalHost();

export async function inspectReadOnly(connector: Connector, ctx: DeployContext & { fingerprint: string }): Promise<{ result: InspectResult; denied: number }> {
  if (!connector.inspect) throw new Error(`${connector.name} has no inspect`);
  const checked = createSandbox({ grant: connector.capabilities(), host });
  const ro = readOnlySandbox(checked);
  try {
    const result = await connector.inspect(new AbortController().signal, ro, ctx);
    return { result, denied: ro.deniedAttempts };
  } finally {
    await checked.close();
  }
}
