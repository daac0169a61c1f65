/**
 * The sandbox runtime moved into the connector SDK package
 * (`packages/connector-sdk/src/sandbox/`, imported as `@cert-deployer/connector-sdk/sandbox`)
 * so a third party's conformance run enforces grants with the same code as the operator.
 * This re-export keeps `src/sandbox/index.ts` importers working; new code imports the package.
 */
export * from '@cert-deployer/connector-sdk/sandbox';
