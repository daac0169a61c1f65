/** The connector conformance suite for `haproxy` (runtime API) against real HAProxy 2.6 on the local host. */
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { localHaproxyFixture } from '../../../conformance/fixtures/haproxy.ts';
import { runtimeApiFactory } from './factory.ts';

runConformance(runtimeApiFactory, localHaproxyFixture());
