/** docs/connectors/nginx.md stays a working page: valid manifest, policy that allows its grants. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nginxConnector } from '../../../../src/connectors/nginx/index.ts';
import type { ConnectorDefinition } from '../../../../packages/connector-sdk/src/connector.ts';
import { checkConnectorPage } from '../../../support/connector-docs.ts';

describe('docs/connectors/nginx.md', () => {
  it('its CertificateDeployment is valid, uses an ssh and a local target, and the policy allows every grant', async () => {
    const page = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'connectors', 'nginx.md');
    const blocks = (await checkConnectorPage(page, nginxConnector as ConnectorDefinition<unknown>)) as { host: { ssh?: unknown; local?: unknown } }[];
    expect(blocks.map((b) => (b.host.ssh === undefined ? 'local' : 'ssh'))).toEqual(['ssh', 'local']);
  });
});
