/** Conformance of the f5BigIp connector against the fake BIG-IP (documented iControl REST subset). */
import { f5BigIpConnector } from '../../../../src/connectors/f5-big-ip/index.ts';
import { f5BigIpFixture, withSecrets } from '../../../conformance/fixtures/f5-big-ip.ts';
import { runConformance } from '@cert-deployer/connector-sdk/conformance';

runConformance(
  (ctx) => withSecrets(f5BigIpConnector.create(f5BigIpConnector.configSchema.parse(ctx.config)), ctx.secrets),
  f5BigIpFixture(),
);
