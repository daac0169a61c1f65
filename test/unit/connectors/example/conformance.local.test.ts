/** Conformance of the `example` template connector on the local host (agent mode). */
import { localFileFixture, runConformance } from '@cert-deployer/connector-sdk/conformance';
import { exampleFor } from './factories.ts';

runConformance(exampleFor, localFileFixture());
