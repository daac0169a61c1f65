/**
 * The connector registry (the external-secrets provider-registry model): one line per
 * connector. The CRD generator builds each target's connector blocks from it, and the
 * controller looks connectors up here by block name.
 */
import { apacheConnector } from './apache/index.ts';
import { awsAcmConnector } from './aws-acm/index.ts';
import { azureKeyVaultConnector } from './azure-key-vault/index.ts';
import { f5BigIpConnector } from './f5-big-ip/index.ts';
import { fileConnector } from './file/index.ts';
import { gcpCertificateManagerConnector } from './gcp-certificate-manager/index.ts';
import { haproxyConnector } from './haproxy/index.ts';
import { iisConnector } from './iis/index.ts';
import { nginxConnector } from './nginx/index.ts';
import type { ConnectorDefinition } from './sdk/connector.ts';

export const connectors: readonly ConnectorDefinition<never>[] = [
  fileConnector as ConnectorDefinition<never>,
  gcpCertificateManagerConnector as ConnectorDefinition<never>,
  awsAcmConnector as ConnectorDefinition<never>,
  haproxyConnector as ConnectorDefinition<never>,
  azureKeyVaultConnector as ConnectorDefinition<never>,
  nginxConnector as ConnectorDefinition<never>,
  apacheConnector as ConnectorDefinition<never>,
  f5BigIpConnector as ConnectorDefinition<never>,
  iisConnector as ConnectorDefinition<never>,
];

/** Block name → definition. */
export const connectorsByName: ReadonlyMap<string, ConnectorDefinition<never>> = new Map(connectors.map((c) => [c.name, c]));

/** The zod schema of every registered block, keyed by block name, for the CRD. */
export function connectorBlocks() {
  return Object.fromEntries(connectors.map((c) => [c.name, c.configSchema]));
}
