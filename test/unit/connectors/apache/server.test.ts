/**
 * The `apache` connector against a real Apache httpd 2.4, locally and over SSH, in both layouts
 * (chain in SSLCertificateFile; SSLCertificateChainFile via chainPath): what clients see after
 * deploy and rotation, refusals by `apache2 -t` and by `-k graceful` with httpd's own words, a
 * mismatched key (which would make httpd exit on a graceful restart) refused before any write,
 * and a replay that costs nothing (see connector-behaviour.ts).
 */
import { apacheConnector } from '../../../../src/connectors/apache/index.ts';
import { describeServerConnector, type ServerConnectorCases } from '../../../support/servers/connector-behaviour.ts';
import { apacheSpec } from '../../../support/servers/apache.ts';

const common: Omit<ServerConnectorCases, 'create'> = {
  spec: apacheSpec,
  brokenDirective: 'BogusDirective on\n',
  brokenMessage: /Invalid command 'BogusDirective'/,
  // With its pid file gone, `-k graceful` tries to start a second httpd, which cannot bind the port the running one holds.
  reloadFailureMessage: /httpd not running, trying to start[\s\S]*Address already in use/,
  reloadLogLine: /AH00493: SIGUSR1 received/,
};

describeServerConnector({
  ...common,
  create: ({ host, files, configTest, reload }) =>
    apacheConnector.create(apacheConnector.configSchema.parse({ host, certificatePath: files.certificatePath, privateKeyPath: files.privateKeyPath, configTest, reload })),
});

describeServerConnector({
  ...common,
  chainFile: true,
  create: ({ host, files, configTest, reload }) =>
    apacheConnector.create(
      apacheConnector.configSchema.parse({ host, certificatePath: files.certificatePath, privateKeyPath: files.privateKeyPath, chainPath: files.chainPath, configTest, reload }),
    ),
});
