/** The fake Certificate Manager API and Google token endpoints for tests. See gcp-fake.ts. */
export { GcpFake, type FakeRequest, type FakeService, type InjectedFailure } from './gcp-fake.ts';
export type { OperationOutcome } from './certificate-store.ts';
export type { StoredCertificate } from './google-json.ts';
