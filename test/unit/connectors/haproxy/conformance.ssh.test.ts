/**
 * The connector conformance suite for `haproxy` (runtime API) against real HAProxy 2.6 behind a
 * real sshd: the file over SFTP, the admin socket over OpenSSH unix-socket forwarding.
 */
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { sshHaproxyFixture } from '../../../conformance/fixtures/haproxy.ts';
import { runtimeApiFactory } from './factory.ts';

runConformance(runtimeApiFactory, sshHaproxyFixture());
