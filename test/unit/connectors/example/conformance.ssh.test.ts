/** Conformance of the `example` template connector over SSH, against a real sshd. */
import { runConformance, sshFileFixture } from '../../../conformance/run-conformance.ts';
import { exampleFor } from './factories.ts';

runConformance(exampleFor, sshFileFixture());
