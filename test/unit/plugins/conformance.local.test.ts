/**
 * Conformance of the example WASM plugin (examples/plugins/pem-files, AssemblyScript built here
 * from source) on the local host: the same cases every in-tree connector passes, run against
 * the plugin through Extism and the checked sandbox's host functions.
 */
import { localFileFixture, runConformance } from '@cert-deployer/connector-sdk/conformance';
import { forPlugins, loadExamplePlugin, pemFilesFor } from './plugin-fixtures.ts';

runConformance(pemFilesFor(await loadExamplePlugin('pem-files')), forPlugins(localFileFixture()));
