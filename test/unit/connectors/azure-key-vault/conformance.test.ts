/**
 * The azureKeyVault connector against the shared conformance suite, on the fake Key Vault:
 * once with an injected credential (no token traffic: the strict replay check applies) and
 * once with the real client-secret flow through the sandbox against the fake Entra (the
 * authority joins the grant, and grant honesty removes it too).
 */
import { azureKeyVaultConnector, createAzureKeyVaultConnector } from '../../../../src/connectors/azure-key-vault/index.ts';
import { azureKeyVaultFixture, withDeployContext, type AzureTargetContext } from '../../../conformance/fixtures/azure-key-vault.ts';
import { runConformance } from '@cert-deployer/connector-sdk/conformance';

const factory = (ctx: AzureTargetContext) =>
  withDeployContext(
    createAzureKeyVaultConnector(azureKeyVaultConnector.configSchema.parse(ctx.block), ctx.credential === undefined ? {} : { credential: ctx.credential }),
    ctx.deployContext,
  );

runConformance(factory, azureKeyVaultFixture({ auth: 'static' }));
runConformance(
  factory,
  azureKeyVaultFixture({
    auth: 'clientSecret',
    skip: {
      'idempotentReplay.noop':
        'each deploy fetches one Entra token, a POST the counting sandbox reports as a mutation; the same replay with an injected credential passes above, and deploy.test.ts counts zero vault writes on a client-secret replay',
    },
  }),
);
