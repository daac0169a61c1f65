/**
 * The shared conformance suite against the fake Certificate Manager API, once per identity:
 * workload identity (token from the metadata server, a GET) and a service account key (token
 * exchange at the OAuth endpoint, a POST).
 */
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { gcpCertificateManagerFixture, withDeployContext, type GcpTargetContext } from '../../../conformance/fixtures/gcp-certificate-manager.ts';
import { gcpCertificateManagerConnector } from '../../../../src/connectors/gcp-certificate-manager/index.ts';
import { createGcpCertificateManagerConnector } from '../../../../src/connectors/gcp-certificate-manager/gcp-certificate-manager-connector.ts';

/** Production backoff starts at 1 s; the fake finishes after two polls, so poll quickly. */
const FAST_POLL = { initialMs: 5, multiplier: 2, maxMs: 50 };

const factory = (c: GcpTargetContext) =>
  withDeployContext(createGcpCertificateManagerConnector(gcpCertificateManagerConnector.configSchema.parse(c.block), { poll: FAST_POLL }), c.deployContext);

runConformance(factory, gcpCertificateManagerFixture({ auth: 'workloadIdentity' }));

runConformance(factory, gcpCertificateManagerFixture({
  auth: 'serviceAccountKey',
  skip: {
    'idempotentReplay.noop':
      'the OAuth token exchange is a POST, which the counting sandbox counts as mutating; replay.test.ts asserts zero mutating API requests with a service account key, and the workload identity run of this suite covers the case in full',
  },
}));
