/**
 * Builds the `nginx` connector for a conformance or server target through the registry
 * definition's zod schema, exactly as the controller does, so defaults and validation under
 * test are the real ones.
 */
import { nginxConnector } from '../../../../src/connectors/nginx/index.ts';
import type { Connector } from '../../../../packages/connector-sdk/src/connector.ts';
import type { WebServerTargetContext } from '../../../conformance/fixtures/nginx-apache-fixtures.ts';

/** The minimal block: paths, and this instance's config test and reload. */
export function nginxFor(ctx: WebServerTargetContext): Connector {
  return nginxConnector.create(
    nginxConnector.configSchema.parse({
      host: ctx.host,
      certificatePath: ctx.certificatePath,
      privateKeyPath: ctx.privateKeyPath,
      configTest: ctx.configTestArgv,
      reload: ctx.reloadArgv,
    }),
  );
}

/** Every optional field set: owner, group, modes, timeout. */
export function nginxWithEverythingFor(ctx: WebServerTargetContext): Connector {
  return nginxConnector.create(
    nginxConnector.configSchema.parse({
      host: ctx.host,
      certificatePath: ctx.certificatePath,
      privateKeyPath: ctx.privateKeyPath,
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
