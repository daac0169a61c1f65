/** Conformance of the `example` template connector over SSH, against a real sshd. */
import { runConformance, sshFileFixture } from '@cert-deployer/connector-sdk/conformance';
import { exampleFor } from './factories.ts';

runConformance(exampleFor, sshFileFixture());
