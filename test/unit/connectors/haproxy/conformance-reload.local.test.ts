/** The connector conformance suite for `haproxy` in reload mode (real `haproxy -c`, a real master-worker reload) on the local host. */
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { localHaproxyFixture } from '../../../conformance/fixtures/haproxy.ts';
import { reloadFactory } from './factory.ts';

runConformance(reloadFactory, localHaproxyFixture({ mode: 'reload' }));
