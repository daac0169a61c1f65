/**
 * The `apache` connector against a real Apache httpd 2.4, locally and over SSH: what clients
 * see after deploy and rotation, refusals by `apache2 -t` and by `-k graceful` with httpd's own
 * words, a mismatched key (which would make httpd exit on a graceful restart) refused before
 * any write, and a replay that costs nothing (see connector-behaviour.ts).
 */
import { apacheConnector } from '../../../../src/connectors/apache/index.ts';
import { describeServerConnector } from '../../../support/servers/connector-behaviour.ts';
import { apacheCases } from './server-cases.ts';

describeServerConnector({
  ...apacheCases,
  create: ({ host, files, configTest, reload }) =>
    apacheConnector.create(apacheConnector.configSchema.parse({ host, certificatePath: files.certificatePath, privateKeyPath: files.privateKeyPath, configTest, reload })),
});
