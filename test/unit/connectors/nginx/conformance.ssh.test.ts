/** Conformance of the `nginx` connector over SSH (real sshd), against a real nginx. */
import { sshServerFixture } from '../../../conformance/fixtures/nginx-apache-fixtures.ts';
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { nginxSpec } from '../../../support/servers/nginx.ts';
import { nginxFor } from './factories.ts';

runConformance(nginxFor, sshServerFixture(nginxSpec));
