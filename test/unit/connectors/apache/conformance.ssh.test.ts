/** Conformance of the `apache` connector over SSH (real sshd), against a real Apache httpd. */
import { sshServerFixture } from '../../../conformance/fixtures/nginx-apache-fixtures.ts';
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { apacheSpec } from '../../../support/servers/apache.ts';
import { apacheFor } from './factories.ts';

runConformance(apacheFor, sshServerFixture(apacheSpec));
