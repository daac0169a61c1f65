/** What Apache httpd says in the server cases (connector-behaviour.ts), shared by both layouts. */
import type { ServerConnectorCases } from '../../../support/servers/connector-behaviour.ts';
import { apacheSpec } from '../../../support/servers/apache.ts';

export const apacheCases: Omit<ServerConnectorCases, 'create'> = {
  spec: apacheSpec,
  brokenDirective: 'BogusDirective on\n',
  brokenMessage: /Invalid command 'BogusDirective'/,
  // With its pid file gone, `-k graceful` tries to start a second httpd, which cannot bind the port the running one holds.
  reloadFailureMessage: /httpd not running, trying to start[\s\S]*Address already in use/,
  reloadLogLine: /AH00493: SIGUSR1 received/,
};
