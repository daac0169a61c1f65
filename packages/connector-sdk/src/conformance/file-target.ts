/**
 * A target for connectors that write PEM files on a host and run a reload: a directory with
 * `tls/` (where the connector writes) and a stand-in server. The stand-in is a real program
 * run as the reload command (an executable `reload` script, exact argv, no shell in the
 * grant): on success it checks that the key matches the certificate with `openssl` (as
 * `nginx -t` would) and copies the certificate to `served.pem`, so "what the server serves"
 * is the certificate present at its last successful reload. Its mode file switches it to
 * failing (printing the key file to stderr, like a server dumping its bad config) or hanging.
 *
 * State is read back with node:fs, independently of the connector and the sandbox (the SSH
 * fixture's "remote" host is this machine, so the same code reads it).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostConfig } from '../host-config.ts';
import type { Host } from '../sandbox/host/host.ts';
import { fingerprintOfPem } from './credentials.ts';
import type { ConformanceTarget, ReloadMode, TargetState } from './types.ts';

/** What a file connector's factory gets: where to write, what to run, which host block. */
export interface FileTargetContext {
  /** The `host` block for the connector config (`{ local: {} }` or `{ ssh: … }`). */
  readonly host: HostConfig;
  /** The target's own directory (canonical). */
  readonly dir: string;
  readonly certificatePath: string;
  readonly privateKeyPath: string;
  /** Where a connector with a CA-bundle option may write it. */
  readonly caPath: string;
  /** The stand-in server's reload command, exact argv. */
  readonly reloadArgv: readonly string[];
}

function reloadScript(dir: string): string {
  return `#!/bin/sh
# Conformance stand-in for a server's reload command (see @cert-deployer/connector-sdk, src/conformance/file-target.ts).
d='${dir}'
case "$(cat "$d/reload-mode")" in
  ok)
    a=$(openssl x509 -in "$d/tls/cert.pem" -noout -pubkey) || exit 1
    b=$(openssl pkey -in "$d/tls/key.pem" -pubout) || exit 1
    [ "$a" = "$b" ] || { echo "reload: the key does not match the certificate" >&2; exit 1; }
    cp "$d/tls/cert.pem" "$d/served.tmp" && mv "$d/served.tmp" "$d/served.pem"
    ;;
  fail)
    echo "reload: cannot load the certificate; configuration follows" >&2
    cat "$d/tls/key.pem" >&2
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

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Leaf-first fingerprints of the certificates in a PEM file's text. */
function chainOf(text: string | null): string[] {
  return text === null ? [] : [...text.matchAll(PEM_CERT)].map((m) => fingerprintOfPem(m[0]));
}

/** Whether the key file matches the first certificate of the certificate file (undefined when either is missing). */
export function keyMatches(certText: string | null, keyText: string | null): boolean | undefined {
  const leaf = certText?.match(PEM_CERT)?.[0];
  if (leaf === undefined || keyText === null) return undefined;
  try {
    return new X509Certificate(leaf).checkPrivateKey(createPrivateKey(keyText));
  } catch {
    return false;
  }
}

/** Creates a file target in `dir` (which must not exist yet), served by `host`. */
export async function createFileTarget(dir: string, host: Host, hostConfig: HostConfig): Promise<ConformanceTarget<FileTargetContext>> {
  await mkdir(join(dir, 'tls'), { recursive: true });
  const script = join(dir, 'reload');
  await writeFile(script, reloadScript(dir));
  await chmod(script, 0o755);
  await writeFile(join(dir, 'reload-mode'), 'ok\n');
  const context: FileTargetContext = {
    host: hostConfig,
    dir,
    certificatePath: join(dir, 'tls', 'cert.pem'),
    privateKeyPath: join(dir, 'tls', 'key.pem'),
    caPath: join(dir, 'tls', 'ca.pem'),
    reloadArgv: [script],
  };
  return {
    context,
    host,
    async readState(): Promise<TargetState> {
      const certText = await readOrNull(context.certificatePath);
      const keyText = await readOrNull(context.privateKeyPath);
      const chain = chainOf(certText);
      const keyMatchesLeaf = keyMatches(certText, keyText);
      const keyStat = keyText === null ? null : await stat(context.privateKeyPath);
      return {
        fingerprint: chain[0] ?? null,
        chain,
        served: chainOf(await readOrNull(join(dir, 'served.pem')))[0] ?? null,
        ...(keyMatchesLeaf === undefined ? {} : { keyMatchesLeaf }),
        ...(keyStat === null ? {} : { privateKeyMode: keyStat.mode & 0o777 }),
      };
    },
    async setReload(mode: ReloadMode): Promise<void> {
      await writeFile(join(dir, 'reload-mode'), `${mode}\n`);
    },
    async dispose(): Promise<void> {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
