/**
 * Connector factories for the conformance runs: each builds its connector from a config block
 * through the registry definition's zod schema, exactly as the controller does, so the
 * defaults and validation under test are the real ones.
 */
import { fileConnector } from '../../../../src/connectors/file/index.ts';
import type { Connector } from '@cert-deployer/connector-sdk';
import type { FileTargetContext } from '@cert-deployer/connector-sdk/conformance';

/** The `file` connector for a file target, with its reload. */
export function fileFor(ctx: FileTargetContext): Connector {
  const config = fileConnector.configSchema.parse({
    host: ctx.host,
    certificatePath: ctx.certificatePath,
    privateKeyPath: ctx.privateKeyPath,
    reload: { argv: ctx.reloadArgv },
  });
  return fileConnector.create(config);
}

/** The `file` connector with every optional field: CA bundle path, owner, group and modes. */
export function fileWithEverythingFor(ctx: FileTargetContext): Connector {
  const config = fileConnector.configSchema.parse({
    host: ctx.host,
    certificatePath: ctx.certificatePath,
    privateKeyPath: ctx.privateKeyPath,
    caPath: ctx.caPath,
    owner: 'root',
    group: '0',
    certificateMode: '0640',
    privateKeyMode: '0640',
    reload: { argv: ctx.reloadArgv, timeoutSeconds: 20 },
  });
  return fileConnector.create(config);
}
