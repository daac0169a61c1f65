/** Conformance of the `file` connector over SSH, against a real sshd. */
import { runConformance, sshFileFixture } from '../../../conformance/run-conformance.ts';
import { fileFor } from './factories.ts';

runConformance(fileFor, sshFileFixture());
