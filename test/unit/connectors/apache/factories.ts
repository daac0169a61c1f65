/**
 * Builds the `apache` connector for a conformance or server target through the registry
 * definition's zod schema, exactly as the controller does.
 */
import { apacheConnector } from '../../../../src/connectors/apache/index.ts';
import type { Connector } from '../../../../packages/connector-sdk/src/connector.ts';
import type { WebServerTargetContext } from '../../../conformance/fixtures/nginx-apache-fixtures.ts';

/** The block for a target: paths (with chainPath when the target uses a chain file), config test and reload. */
export function apacheFor(ctx: WebServerTargetContext): Connector {
  return apacheConnector.create(
    apacheConnector.configSchema.parse({
      host: ctx.host,
      certificatePath: ctx.certificatePath,
      privateKeyPath: ctx.privateKeyPath,
      ...(ctx.chainPath === undefined ? {} : { chainPath: ctx.chainPath }),
      configTest: ctx.configTestArgv,
      reload: ctx.reloadArgv,
    }),
  );
}

/** Every optional field set: owner, group, modes, timeout. */
export function apacheWithEverythingFor(ctx: WebServerTargetContext): Connector {
  return apacheConnector.create(
    apacheConnector.configSchema.parse({
      host: ctx.host,
      certificatePath: ctx.certificatePath,
      privateKeyPath: ctx.privateKeyPath,
      ...(ctx.chainPath === undefined ? {} : { chainPath: ctx.chainPath }),
      owner: 'root',
      group: '0',
      certificateMode: '0640',
      privateKeyMode: '0640',
      configTest: ctx.configTestArgv,
      reload: ctx.reloadArgv,
      commandTimeoutSeconds: 20,
    }),
  );
}
