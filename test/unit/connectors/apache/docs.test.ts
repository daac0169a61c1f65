/** docs/connectors/apache.md stays a working page: valid manifest, policy that allows its grants. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apacheConnector } from '../../../../src/connectors/apache/index.ts';
import type { ConnectorDefinition } from '../../../../packages/connector-sdk/src/connector.ts';
import { checkConnectorPage } from '../../../support/connector-docs.ts';

describe('docs/connectors/apache.md', () => {
  it('its CertificateDeployment is valid, shows both layouts over ssh and locally, and the policy allows every grant', async () => {
    const page = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'connectors', 'apache.md');
    const blocks = (await checkConnectorPage(page, apacheConnector as ConnectorDefinition<unknown>)) as { host: { ssh?: unknown }; chainPath?: string }[];
    expect(blocks.map((b) => [b.host.ssh === undefined ? 'local' : 'ssh', b.chainPath !== undefined])).toEqual([['ssh', true], ['local', false]]);
  });
});
