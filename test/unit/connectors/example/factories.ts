/**
 * Connector factories for the conformance runs: each builds its connector from a config block
 * through the registry definition's zod schema, exactly as the controller does, so the
 * defaults and validation under test are the real ones.
 */
import { exampleConnector } from '../../../../src/connectors/example/index.ts';
import type { Connector } from '@cert-deployer/connector-sdk';
import type { FileTargetContext } from '@cert-deployer/connector-sdk/conformance';

/** The `example` template connector for a file target. */
export function exampleFor(ctx: FileTargetContext): Connector {
  const config = exampleConnector.configSchema.parse({
    host: ctx.host,
    certificatePath: ctx.certificatePath,
    privateKeyPath: ctx.privateKeyPath,
    reload: ctx.reloadArgv,
  });
  return exampleConnector.create(config);
}
