/**
 * The connector registry (the external-secrets provider-registry model). The list itself is
 * `registered.ts`, one line per connector; this module turns it into the views the rest of
 * the system uses: the CRD generator builds each target's connector blocks from it, and the
 * controller looks connectors up here by block name.
 */
import * as registered from './registered.ts';
import type { ConnectorDefinition } from '@cert-deployer/connector-sdk';

/**
 * A definition with its configuration type erased, done once here so no caller casts: every
 * caller validates a block with `configSchema` before it calls `create`/`hostOf`/`secretRefs`,
 * so what those receive is always the schema's own output.
 */
export type RegisteredConnector = ConnectorDefinition<unknown>;

/** Every registered definition, ordered by block name so the generated CRD is stable. */
export const connectors: readonly RegisteredConnector[] = Object.values<RegisteredConnector>(registered).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** Block name → definition. */
export const connectorsByName: ReadonlyMap<string, RegisteredConnector> = new Map(connectors.map((c) => [c.name, c]));

/** The zod schema of every registered block, keyed by block name, for the CRD. */
export function connectorBlocks() {
  return Object.fromEntries(connectors.map((c) => [c.name, c.configSchema]));
}
