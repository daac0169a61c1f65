/**
 * Conformance of the API connectors in the worker runtime: AWS ACM (moto), Azure Key Vault,
 * GCP Certificate Manager, F5 BIG-IP and IIS (the documented-API fakes of their own test
 * folders). Their SDKs (AWS, Azure, Google) load inside the confined worker and reach the
 * network only through the Sandbox the operator serves.
 */
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { awsAcmConnector } from '../../../src/connectors/aws-acm/index.ts';
import { azureKeyVaultConnector } from '../../../src/connectors/azure-key-vault/index.ts';
import { f5BigIpConnector } from '../../../src/connectors/f5-big-ip/index.ts';
import { gcpCertificateManagerConnector } from '../../../src/connectors/gcp-certificate-manager/index.ts';
import { iisConnector } from '../../../src/connectors/iis/index.ts';
import { awsAcmFixture } from '../../conformance/fixtures/aws-acm.ts';
import { azureKeyVaultFixture, withDeployContext as withAzureContext } from '../../conformance/fixtures/azure-key-vault.ts';
import { f5BigIpFixture, withSecrets as withF5Secrets } from '../../conformance/fixtures/f5-big-ip.ts';
import { gcpCertificateManagerFixture, withDeployContext as withGcpContext } from '../../conformance/fixtures/gcp-certificate-manager.ts';
import { iisFixture, withSecrets as withIisSecrets } from '../../conformance/fixtures/iis-fixture.ts';
import { inWorker, testWorkerRuntime } from '../../conformance/worker-mode.ts';
import { acmConnector, withControllerContext } from '../connectors/aws-acm/support.ts';

const runtime = testWorkerRuntime();

runConformance(inWorker(runtime, awsAcmConnector, (ctx) => withControllerContext(acmConnector(ctx.endpoint, {}, ctx.region))), { ...awsAcmFixture(), name: 'aws-acm in a worker (moto)' });
runConformance(
  inWorker(runtime, azureKeyVaultConnector, (ctx) => withAzureContext(azureKeyVaultConnector.create(azureKeyVaultConnector.configSchema.parse(ctx.block)), ctx.deployContext)),
  {
    ...azureKeyVaultFixture({
      auth: 'clientSecret',
      skip: { 'idempotentReplay.noop': 'each deploy fetches one Entra token, a POST the counting sandbox reports as a mutation (as in the in-process run with a client secret)' },
    }),
    name: 'azure-key-vault in a worker (client secret)',
  },
);
runConformance(
  inWorker(runtime, gcpCertificateManagerConnector, (c) => withGcpContext(gcpCertificateManagerConnector.create(gcpCertificateManagerConnector.configSchema.parse(c.block)), c.deployContext)),
  // The worker builds the connector from its config alone, so with the default poll schedule (1 s
  // first wait); operations that finish at once keep the run short. Polling is covered in-process.
  { ...gcpCertificateManagerFixture({ auth: 'workloadIdentity', pollsUntilDone: 0 }), name: 'gcp-certificate-manager in a worker (workload identity)' },
);
runConformance(inWorker(runtime, f5BigIpConnector, (ctx) => withF5Secrets(f5BigIpConnector.create(f5BigIpConnector.configSchema.parse(ctx.config)), ctx.secrets)), { ...f5BigIpFixture(), name: 'f5-big-ip in a worker' });
runConformance(inWorker(runtime, iisConnector, (ctx) => withIisSecrets(iisConnector.create(iisConnector.configSchema.parse(ctx.block)), ctx.secrets)), { ...iisFixture(), name: 'iis in a worker' });
