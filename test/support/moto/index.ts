/** moto (AWS emulator) for tests: `import { startMoto } from '../../support/moto/index.ts'`. */
export { startMoto, INITIAL_UNAUTHENTICATED_ACTIONS, type MotoServer, type StartMotoOptions } from './server.ts';
export { ensureMoto, motoVenvDir, MOTO_VERSION } from './install.ts';
export { acmReader, TEST_ACCESS_KEY, type AcmReader, type AcmCertificateState } from './acm-reader.ts';
export { bootstrapIam, createUser, type AccessKey } from './iam.ts';
