/** Conformance of the `file` connector on the local host (agent mode). */
import { localFileFixture, runConformance } from '../../conformance/run-conformance.ts';
import { fileFor } from './factories.ts';

runConformance(fileFor, localFileFixture());
