/** The connector conformance suite for `haproxy` in reload mode against real HAProxy 2.6 behind a real sshd. */
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { sshHaproxyFixture } from '../../../conformance/fixtures/haproxy.ts';
import { reloadFactory } from './factory.ts';

runConformance(reloadFactory, sshHaproxyFixture({ mode: 'reload' }));
