/** Conformance of the `file` connector over SSH, against a real sshd. */
import { runConformance, sshFileFixture } from '@cert-deployer/connector-sdk/conformance';
import { fileFor } from './factories.ts';

runConformance(fileFor, sshFileFixture());
