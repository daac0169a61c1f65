/** Conformance of the `example` template connector on the local host (agent mode). */
import { localFileFixture, runConformance } from '../../../conformance/run-conformance.ts';
import { exampleFor } from './factories.ts';

runConformance(exampleFor, localFileFixture());
