/**
 * The conformance factory for the `haproxy` connector: builds the block from a fixture's target
 * through the real schema, in either loading mode, exactly as the registry would.
 */
import { haproxyConnector } from '../../../../src/connectors/haproxy/index.ts';
import type { Connector } from '../../../../packages/connector-sdk/src/connector.ts';
import type { HaproxyTargetContext } from '../../../conformance/fixtures/haproxy.ts';

/**
 * `includeRoot: true` because the suite expects the target to hold the whole chain the Secret
 * gives, root included (inputs.longChain); the default (root left out) has its own test.
 */
export function runtimeApiFactory(ctx: HaproxyTargetContext): Connector {
  return haproxyConnector.create(
    haproxyConnector.configSchema.parse({
      host: ctx.host,
      certificatePath: ctx.certificatePath,
      includeRoot: true,
      runtimeApi: { socketPath: ctx.socketPath },
    }),
  );
}

/** The reload-mode connector for a target: the real `haproxy -c` and the target's reload script. */
export function reloadFactory(ctx: HaproxyTargetContext): Connector {
  return haproxyConnector.create(
    haproxyConnector.configSchema.parse({
      host: ctx.host,
      certificatePath: ctx.certificatePath,
      includeRoot: true,
      reload: { configTest: ctx.configTestArgv, reload: ctx.reloadArgv },
    }),
  );
}
