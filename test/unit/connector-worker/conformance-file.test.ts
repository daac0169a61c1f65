/** Conformance of `file` in the worker runtime: the connector's code runs in a confined worker. */
import { localFileFixture, runConformance } from '@cert-deployer/connector-sdk/conformance';
import { fileConnector } from '../../../src/connectors/file/index.ts';
import { inWorker, testWorkerRuntime } from '../../conformance/worker-mode.ts';
import { fileFor } from '../connectors/file/factories.ts';

const runtime = testWorkerRuntime();
runConformance(inWorker(runtime, fileConnector, fileFor), { ...localFileFixture(), name: 'file in a worker, local temp dir' });
