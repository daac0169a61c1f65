/**
 * The `nginx` connector end to end: CertificateDeployment on the real apiserver → controller →
 * real nginx 1.22 on this host and over SSH, Ready only when a handshake shows the new
 * fingerprint; refusal, VerifyFailed and rotation (see end-to-end-cases.ts).
 */
import { describeEndToEnd } from '../../../support/servers/end-to-end-cases.ts';
import { nginxSpec } from '../../../support/servers/nginx.ts';

describeEndToEnd({
  spec: nginxSpec,
  block: 'nginx',
  brokenDirective: 'bogus_directive on;\n',
  brokenMessage: /nginx: \[emerg\] unknown directive "bogus_directive"/,
});
