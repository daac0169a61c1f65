/**
 * The `apache` connector with the pre-2.4.8 layout (SSLCertificateChainFile via `chainPath`)
 * against a real Apache httpd: the same cases as server.test.ts, on the local host (the layout
 * does not depend on the host; SSH is covered by the default layout and the conformance run).
 */
import { apacheConnector } from '../../../../src/connectors/apache/index.ts';
import { describeServerConnector } from '../../../support/servers/connector-behaviour.ts';
import { apacheCases } from './server-cases.ts';

describeServerConnector({
  ...apacheCases,
  chainFile: true,
  hosts: ['local'],
  create: ({ host, files, configTest, reload }) =>
    apacheConnector.create(
      apacheConnector.configSchema.parse({ host, certificatePath: files.certificatePath, privateKeyPath: files.privateKeyPath, chainPath: files.chainPath, configTest, reload }),
    ),
});
