/**
 * The `haproxy` entry of test/bench/server-rotation.ts: a real HAProxy 2.6 (master-worker, in
 * the bench's temp dir) and the block that hot-updates it through the Runtime API, the
 * connector's default mode. Kept in its own file so the runner stays one line per server.
 */
import { startHaproxy } from '../support/servers/haproxy.ts';

/** Structurally the runner's ServerAdapter: the CRD block name and how to start the server. */
export const haproxyAdapter = {
  block: 'haproxy',
  async start(dir: string) {
    const server = await startHaproxy({ parentDir: dir });
    return {
      address: server.address,
      block: { host: { local: {} }, certificatePath: server.certificatePath, runtimeApi: { socketPath: server.socketPath } },
      stop: () => server.stop(),
    };
  },
};
