/**
 * Conformance of the server connectors in the worker runtime, on the local host with the real
 * servers: nginx, apache and haproxy (Runtime API). Their SSH and alternative-mode runs stay
 * in-process in their own folders; the worker changes where the connector's code runs, not
 * how the sandbox reaches a host, so one fixture each keeps CI time down.
 */
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { apacheConnector } from '../../../src/connectors/apache/index.ts';
import { haproxyConnector } from '../../../src/connectors/haproxy/index.ts';
import { nginxConnector } from '../../../src/connectors/nginx/index.ts';
import { localHaproxyFixture } from '../../conformance/fixtures/haproxy.ts';
import { localServerFixture } from '../../conformance/fixtures/nginx-apache-fixtures.ts';
import { inWorker, testWorkerRuntime } from '../../conformance/worker-mode.ts';
import { apacheSpec } from '../../support/servers/apache.ts';
import { nginxSpec } from '../../support/servers/nginx.ts';
import { apacheFor } from '../connectors/apache/factories.ts';
import { runtimeApiFactory } from '../connectors/haproxy/factory.ts';
import { nginxFor } from '../connectors/nginx/factories.ts';

const runtime = testWorkerRuntime();
runConformance(inWorker(runtime, nginxConnector, nginxFor), { ...localServerFixture(nginxSpec), name: 'nginx in a worker, local host' });
runConformance(inWorker(runtime, apacheConnector, apacheFor), { ...localServerFixture(apacheSpec, { chainFile: true }), name: 'apache in a worker, local host' });
runConformance(inWorker(runtime, haproxyConnector, runtimeApiFactory), { ...localHaproxyFixture(), name: 'haproxy (Runtime API) in a worker, local host' });
