/**
 * The `apache` connector end to end: CertificateDeployment on the real apiserver → controller →
 * real Apache httpd 2.4 on this host and over SSH, Ready only when a handshake shows the new
 * fingerprint; refusal, VerifyFailed and rotation (see end-to-end-cases.ts).
 */
import { apacheSpec } from '../../../support/servers/apache.ts';
import { describeEndToEnd } from '../../../support/servers/end-to-end-cases.ts';

describeEndToEnd({
  spec: apacheSpec,
  block: 'apache',
  brokenDirective: 'BogusDirective on\n',
  brokenMessage: /Invalid command 'BogusDirective'/,
});
