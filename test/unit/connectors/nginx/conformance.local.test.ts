/** Conformance of the `nginx` connector against a real nginx on the local host (agent mode). */
import { localServerFixture } from '../../../conformance/fixtures/nginx-apache-fixtures.ts';
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { nginxSpec } from '../../../support/servers/nginx.ts';
import { nginxFor, nginxWithEverythingFor } from './factories.ts';

runConformance(nginxFor, localServerFixture(nginxSpec));
runConformance(nginxWithEverythingFor, { ...localServerFixture(nginxSpec), name: 'nginx on the local host, owner + group + modes' });
