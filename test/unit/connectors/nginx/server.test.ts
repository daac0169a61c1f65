/**
 * The `nginx` connector against a real nginx 1.22, locally and over SSH: what clients see after
 * deploy and rotation, refusals by `nginx -t` and by `nginx -s reload` with nginx's own words,
 * a mismatched key, and a replay that costs nothing (see connector-behaviour.ts).
 */
import { nginxConnector } from '../../../../src/connectors/nginx/index.ts';
import { describeServerConnector } from '../../../support/servers/connector-behaviour.ts';
import { nginxSpec } from '../../../support/servers/nginx.ts';

describeServerConnector({
  spec: nginxSpec,
  create: ({ host, files, configTest, reload }) =>
    nginxConnector.create(nginxConnector.configSchema.parse({ host, certificatePath: files.certificatePath, privateKeyPath: files.privateKeyPath, configTest, reload })),
  brokenDirective: 'bogus_directive on;\n',
  brokenMessage: /nginx: \[emerg\] unknown directive "bogus_directive"/,
  // `nginx -t` (run first) recreates a missing pid file empty, so the reload finds an empty one.
  reloadFailureMessage: /nginx: \[error\] (invalid PID number "" in|open\(\)) ".*nginx\.pid"/,
  reloadLogLine: /signal 1 \(SIGHUP\) received/,
});
