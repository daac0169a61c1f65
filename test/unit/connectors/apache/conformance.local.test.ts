/**
 * Conformance of the `apache` connector against a real Apache httpd on the local host (agent
 * mode): the 2.4.8+ layout (chain in SSLCertificateFile) with every optional field, and the
 * old layout with SSLCertificateChainFile (chainPath).
 */
import { localServerFixture } from '../../../conformance/fixtures/nginx-apache-fixtures.ts';
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { apacheSpec } from '../../../support/servers/apache.ts';
import { apacheFor, apacheWithEverythingFor } from './factories.ts';

runConformance(apacheWithEverythingFor, { ...localServerFixture(apacheSpec), name: 'apache on the local host, owner + group + modes' });
runConformance(apacheFor, localServerFixture(apacheSpec, { chainFile: true }));
