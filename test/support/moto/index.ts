/** moto (AWS emulator) for tests: `import { startMoto } from '../../support/moto/index.ts'`. */
export { startMoto, type MotoServer } from './server.ts';
export { ensureMoto, motoVenvDir, MOTO_VERSION } from './install.ts';
export { acmReader, TEST_ACCESS_KEY, type AcmReader, type AcmCertificateState } from './acm-reader.ts';
