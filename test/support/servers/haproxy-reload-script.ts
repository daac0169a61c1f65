/**
 * A reload command for a test HAProxy, as an executable script (named by its exact argv, no
 * shell string in any grant): in `ok` mode it sends the master-worker reload signal (SIGUSR2)
 * and waits until a new worker answers on the admin socket, so it returns only once HAProxy
 * serves what the reload loaded, like a synchronous `systemctl reload haproxy`. A mode file
 * switches it to failing (it prints the certificate file, key included, to stderr, like a tool
 * dumping a bad configuration) or hanging, for rollback and cancellation tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HaproxyServer } from './haproxy.ts';

export type ReloadScriptMode = 'ok' | 'fail' | 'slow';

export interface ReloadScript {
  /** The reload command's exact argv. */
  readonly argv: readonly string[];
  /** `haproxy -c -f <config>`: the real configuration test. */
  readonly configTestArgv: readonly string[];
  setMode(mode: ReloadScriptMode): Promise<void>;
}

/** socat talks to the admin socket from the script; installed when missing. */
function ensureSocat(): void {
  if (existsSync('/usr/bin/socat')) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'socat'], { stdio: 'ignore', env });
}

function script(server: HaproxyServer, modeFile: string): string {
  const pid = `echo 'show info' | socat -t 5 - UNIX-CONNECT:${server.socketPath} 2>/dev/null | sed -n 's/^Pid: //p'`;
  return `#!/bin/sh
# Test reload for the HAProxy in ${server.dir} (see test/support/servers/haproxy-reload-script.ts).
case "$(cat '${modeFile}')" in
  ok)
    old=$(${pid})
    kill -USR2 ${server.masterPid} || exit 1
    i=0
    while [ $i -lt 300 ]; do
      new=$(${pid})
      if [ -n "$new" ] && [ "$new" != "$old" ]; then exit 0; fi
      sleep 0.1
      i=$((i + 1))
    done
    echo "reload: no new worker answered" >&2
    exit 1
    ;;
  fail)
    echo "reload: refused; configuration follows" >&2
    cat '${server.certificatePath}' >&2
    exit 1
    ;;
  slow)
    exec sleep 5
    ;;
  *)
    echo "reload: unknown mode" >&2
    exit 2
    ;;
esac
`;
}

/** Writes `<dir>/reload` for `server`, in `ok` mode. */
export async function createReloadScript(server: HaproxyServer): Promise<ReloadScript> {
  ensureSocat();
  const path = join(server.dir, 'reload');
  const modeFile = join(server.dir, 'reload-mode');
  await writeFile(modeFile, 'ok\n');
  await writeFile(path, script(server, modeFile));
  await chmod(path, 0o755);
  return {
    argv: [path],
    configTestArgv: ['/usr/sbin/haproxy', '-c', '-f', server.configPath],
    setMode: (mode) => writeFile(modeFile, `${mode}\n`),
  };
}
