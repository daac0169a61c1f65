/**
 * A real OpenSSH server for tests: `/usr/sbin/sshd -D -e` on a free loopback port, with its own
 * host key (ed25519 unless asked otherwise) and an authorized_keys file holding a client key generated at start, all in
 * a fresh temp dir that teardown removes.
 *
 * Login is as root (the test runner's user, `PermitRootLogin prohibit-password`, keys only):
 * the tests need chown to other users, and the "remote" filesystem is this machine's, so a test
 * can check a remote write with plain `node:fs`. `StrictModes no` because the files live in /tmp;
 * `UsePAM no` so nothing outside the temp dir is consulted.
 *
 * No stray sshd: the listener runs under `setpriv --pdeathsig KILL` (the kernel kills it if
 * the test process dies, even by SIGKILL) in its own process group, and `stop()` ends the
 * per-connection children (which sshd moves into their own sessions), then the group. The
 * per-connection processes end by themselves when our side of their TCP connection closes,
 * which the kernel does when the test process dies.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, type KeyPair, type KeyType } from './keys.ts';

export const SSHD_BIN = '/usr/sbin/sshd';
export const SFTP_SERVER_BIN = '/usr/lib/openssh/sftp-server';

export interface SshdOptions {
  /** Extra sshd_config lines (e.g. `AllowStreamLocalForwarding no`); they override the defaults. */
  readonly extraConfig?: readonly string[];
  /** Type of the server's (only) host key. Default ed25519. */
  readonly hostKeyType?: KeyType;
}

export interface Sshd {
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** The temp dir holding config, keys and log; tests may create scratch files below it. */
  readonly dir: string;
  /** Host key: `ssh-ed25519 AAAA... comment` (or the configured type) and its files. */
  readonly hostKey: KeyPair;
  /** The authorized client key. */
  readonly clientKey: KeyPair;
  readonly pid: number;
  /** Generates another key pair in the temp dir; `authorize` adds it to authorized_keys. */
  newKey(name: string, opts?: { type?: KeyType; passphrase?: string; pem?: boolean; authorize?: boolean }): Promise<KeyPair>;
  /** The server log, for failure messages. */
  log(): Promise<string>;
  /** The sftp-server log: one line per request, with paths, flags and modes. */
  sftpLog(): Promise<string>;
  stop(): Promise<void>;
}

/** A free loopback port (released before sshd binds it; `startSshd` retries on a collision). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr !== null && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves true once something on `port` speaks SSH (sends an `SSH-2.0-` banner). */
function probeBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2_000, () => done(false));
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\n')) done(got.startsWith('SSH-2.0-'));
    });
    sock.on('error', () => done(false));
  });
}

/** Pids whose parent is `ppid` (from /proc). */
async function childrenOf(ppid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state ppid ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === ppid) out.push(Number(entry));
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sshdConfig(dir: string, port: number, extra: readonly string[]): string {
  return [
    // sshd keeps the FIRST value of a keyword, so overrides go before the defaults.
    ...extra,
    `ListenAddress 127.0.0.1:${port}`,
    `HostKey ${join(dir, 'ssh_host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowStreamLocalForwarding yes',
    // Not `no`: sshd keeps one permission set for TCP and unix-socket forwarding, and
    // `AllowTcpForwarding no` clears it, silently denying direct-streamlocal too.
    'AllowTcpForwarding local',
    'X11Forwarding no',
    'PrintMotd no',
    'UseDNS no',
    'MaxSessions 32',
    'MaxStartups 64',
    'LogLevel VERBOSE',
    // Debian's default sftp-server, run through the login shell so its log (-e: to stderr;
    // -l VERBOSE: every open with flags and mode) lands in a file tests can inspect. The umask
    // is deliberately strict (-u 077), so a test sees whether a mode is applied exactly.
    `Subsystem sftp ${SFTP_SERVER_BIN} -e -l VERBOSE -u 077 2>>${join(dir, 'sftp.log')}`,
    '',
  ].join('\n');
}

/** Starts sshd. Throws with the server log if it does not come up. */
export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  // sshd insists on its privilege-separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'cd-sshd-'));
  try {
    const hostKey = await generateKey(dir, 'ssh_host_key', opts.hostKeyType ?? 'ed25519');
    const clientKey = await generateKey(dir, 'client_ed25519', 'ed25519');
    await writeFile(join(dir, 'authorized_keys'), `${clientKey.publicLine}\n`, { mode: 0o600 });
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await launch(dir, port, opts.extraConfig ?? []);
      if (started !== null) {
        // A run that ends without teardown (an uncaught error, process.exit) still cleans up;
        // a SIGKILL is covered by pdeathsig, leaving only the temp dir.
        const onExit = (): void => {
          try {
            process.kill(-started.pid, 'SIGKILL');
          } catch {
            // already gone
          }
          rmSync(dir, { recursive: true, force: true });
        };
        process.once('exit', onExit);
        return {
          ...started,
          address: `127.0.0.1:${port}`,
          port,
          user: 'root',
          dir,
          hostKey,
          clientKey,
          // sftp-server -e writes syslog-style lines ending in CRLF.
          sftpLog: async () => (await readFile(join(dir, 'sftp.log'), 'utf8').catch(() => '')).replaceAll('\r\n', '\n'),
          async newKey(name, o = {}) {
            const key = await generateKey(dir, name, o.type ?? 'ed25519', o.passphrase ?? '', o.pem ?? false);
            if (o.authorize === true) await appendFile(join(dir, 'authorized_keys'), `${key.publicLine}\n`);
            return key;
          },
          async stop() {
            process.removeListener('exit', onExit);
            await started.stop();
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      if (attempt >= 5) throw new Error(`sshd did not start:\n${await readFile(join(dir, 'sshd.log'), 'utf8').catch(() => '')}`);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

type Launched = Pick<Sshd, 'pid' | 'log' | 'stop'>;

/** Starts sshd on `port`; null when it exited early (port taken), so the caller retries. */
async function launch(dir: string, port: number, extra: readonly string[]): Promise<Launched | null> {
  const configPath = join(dir, 'sshd_config');
  const logPath = join(dir, 'sshd.log');
  await writeFile(configPath, sshdConfig(dir, port, extra), { mode: 0o600 });
  const logFd = openSync(logPath, 'a');
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', SSHD_BIN, '-D', '-e', '-f', configPath], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new Error('cannot spawn setpriv/sshd');
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', () => {
      exited = true;
      resolve();
    });
    child.on('error', () => {
      exited = true;
      resolve();
    });
  });
  const log = (): Promise<string> => readFile(logPath, 'utf8').catch(() => '');
  const stop = async (): Promise<void> => {
    if (exited) return;
    for (const c of await childrenOf(pid)) {
      try {
        process.kill(c, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      if (alive(pid)) process.kill(-pid, 'SIGKILL');
    }, 5_000);
    await exit;
    clearTimeout(timer);
  };
  for (let i = 0; i < 100 && !exited; i++) {
    if (await probeBanner(port)) return { pid, log, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!exited && !(await probeBanner(port))) {
    await stop();
    throw new Error(`sshd did not answer on port ${port}:\n${await log()}`);
  }
  return exited ? null : { pid, log, stop };
}
