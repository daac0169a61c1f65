/** Conformance of the example WASM plugin over SSH, against a real sshd. */
import { runConformance, sshFileFixture } from '@cert-deployer/connector-sdk/conformance';
import { forPlugins, loadExamplePlugin, pemFilesFor } from './plugin-fixtures.ts';

runConformance(pemFilesFor(await loadExamplePlugin('pem-files')), forPlugins(sshFileFixture()));
