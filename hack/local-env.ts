/**
 * `./hack/demo.sh`: a local cert-deployer environment that keeps running until Ctrl-C, for
 * trying your own manifests (see hack/local-env/environment.ts for what it starts). Progress goes
 * to stderr, the instructions to stdout; SIGINT or SIGTERM stops and removes everything, exit 0.
 *
 *   --controller=image    the image built from the Dockerfile, under runc (needs root and runc;
 *                         the default when hack/demo.sh could build the image)
 *   --controller=process  src/main.ts as a process with the chart's args and ServiceAccount
 *
 * (`./hack/demo.sh --demo` runs the scripted walk-through, hack/demo.ts, instead.)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ControllerMode } from './local-env/controller.ts';
import { startLocalEnv, type LocalEnv } from './local-env/environment.ts';

const USAGE = 'usage: hack/demo.sh [--demo] [--controller=image|process]';
const say = (line: string) => console.error(`==> ${line}`);

function parseMode(argv: readonly string[]): ControllerMode {
  let mode: ControllerMode | undefined;
  for (const arg of argv) {
    const m = /^--controller=(image|process)$/.exec(arg);
    if (m === null) {
      console.error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
      process.exit(2);
    }
    mode = m[1] as ControllerMode;
  }
  if (mode !== undefined) return mode;
  const image = process.env.CD_IMAGE_DIR;
  const runnable = image !== undefined && existsSync(join(image, 'bundle', 'rootfs', 'nodejs', 'bin', 'node')) && process.getuid?.() === 0;
  return runnable ? 'image' : 'process';
}

const binDir = process.env.CD_K8S_BIN_DIR;
if (!binDir) throw new Error('CD_K8S_BIN_DIR is not set: run hack/demo.sh');
const mode = parseMode(process.argv.slice(2));

let env: LocalEnv | undefined;
let stopping: Promise<void> | undefined;
// A signal during start-up waits for the start to finish (or fail and clean up), then stops it.
const starting = startLocalEnv({ binDir, mode, say }).then(
  (e) => void (env = e),
  (err: unknown) => {
    console.error(`the local environment did not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
const shutdown = (why: string, code: number): Promise<void> => {
  stopping ??= (async () => {
    say(`${why}: stopping the controller, nginx, sshd and the control plane`);
    await starting;
    await env?.stop();
    say(env === undefined ? 'stopped' : `removed ${env.dir}`);
    process.exit(code);
  })();
  return stopping;
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping !== undefined) process.exit(130);
    void shutdown(sig, 0);
  });
}

await starting;
if (env === undefined) process.exit(1);
if (stopping === undefined) {
  process.stdout.write(env.instructions);
  const running = env;
  void running.controller.exited.then(async () => {
    if (stopping !== undefined) return;
    console.error(`the controller exited:\n${(await running.controller.log()).slice(-4000)}`);
    await shutdown('controller gone', 1);
  });
}
