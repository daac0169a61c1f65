/**
 * The iis connector through the shared conformance suite, against the WinRM fake. Opt-outs
 * (each with its reason) are listed in the fixture; their properties are tested in
 * iis-connector.test.ts.
 */
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { iisFixture, withSecrets } from '../../../conformance/fixtures/iis-fixture.ts';
import { iisConnector } from '../../../../src/connectors/iis/index.ts';

runConformance((ctx) => withSecrets(iisConnector.create(iisConnector.configSchema.parse(ctx.block)), ctx.secrets), iisFixture());
