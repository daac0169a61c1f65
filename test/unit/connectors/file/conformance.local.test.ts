/** Conformance of the `file` connector on the local host (agent mode): minimal and full blocks. */
import { localFileFixture, runConformance } from '@cert-deployer/connector-sdk/conformance';
import { fileFor, fileWithEverythingFor } from './factories.ts';

runConformance(fileFor, localFileFixture());
runConformance(fileWithEverythingFor, { ...localFileFixture(), name: 'local host, temp dir, caPath + owner + modes' });
