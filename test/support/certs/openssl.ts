/**
 * Test fixture: the real `openssl` CLI as an independent reader of what the format helpers
 * write. Inputs go through files in a private temp directory and passwords through the
 * environment (`-passin env:…`), never argv, so any Unicode password reaches OpenSSL intact.
 */
import { execFile } from 'node:child_process';
import type { Buffer } from 'node:buffer';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The files named in `read`, as OpenSSL left them (missing files are absent). */
  readonly outputs: Readonly<Record<string, Buffer>>;
}

/**
 * Runs `openssl …args` with `files` written into a fresh temp dir (referenced as `{name}` in
 * args) and returns the files named in `read` (binary outputs such as DER) before removing it.
 */
export async function openssl(
  args: readonly string[],
  opts: { files?: Record<string, string | Uint8Array>; env?: Record<string, string>; read?: readonly string[] } = {},
): Promise<OpensslResult> {
  const dir = await mkdtemp(join(tmpdir(), 'cd-openssl-'));
  try {
    for (const [name, content] of Object.entries(opts.files ?? {})) await writeFile(join(dir, name), content, { mode: 0o600 });
    const argv = args.map((arg) => arg.replace(/\{([\w.-]+)\}/g, (_, name: string) => join(dir, name)));
    const run = await new Promise<Omit<OpensslResult, 'outputs'>>((resolve, reject) => {
      execFile('openssl', argv, { env: { ...process.env, ...opts.env }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err !== null && typeof err.code !== 'number') reject(err);
        else resolve({ status: err === null ? 0 : (err.code as number), stdout, stderr });
      });
    });
    const outputs: Record<string, Buffer> = {};
    for (const name of opts.read ?? []) {
      try {
        outputs[name] = await readFile(join(dir, name));
      } catch {
        // not written: the caller's assertion on `outputs` says so
      }
    }
    return { ...run, outputs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One bag as `openssl pkcs12 -nodes` prints it. */
export interface Pkcs12Bag {
  readonly kind: 'certificate' | 'key';
  readonly pem: string;
  /** `friendlyName`, `localKeyID` (as OpenSSL prints it: spaced uppercase hex), … */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface Pkcs12Dump {
  readonly bags: readonly Pkcs12Bag[];
  /** `-info` output: MAC algorithm, key bag encryption, iterations. */
  readonly info: string;
}

const BLOCK = /(Bag Attributes(?::\s*<No Attributes>)?\n(?:[ \t]+[^\n]*\n)*)(?:(?:subject|issuer)=[^\n]*\n|Key Attributes:[^\n]*\n)*(-----BEGIN (CERTIFICATE|PRIVATE KEY)-----\n[\s\S]*?-----END \3-----\n)/g;

/** Parses the text `openssl pkcs12 -nodes` prints into bags, in file order. */
export function parsePkcs12Output(text: string): Pkcs12Bag[] {
  const bags: Pkcs12Bag[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const attributes: Record<string, string> = {};
    for (const line of (match[1] as string).split('\n').slice(1)) {
      const at = line.indexOf(':');
      if (at > 0) attributes[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    bags.push({ kind: match[3] === 'CERTIFICATE' ? 'certificate' : 'key', pem: match[2] as string, attributes });
  }
  return bags;
}

/**
 * Reads a PKCS#12 file with `openssl pkcs12 -nodes -info` (optionally `-legacy`). Throws with
 * OpenSSL's stderr when it refuses the file (e.g. a wrong password).
 */
export async function readPkcs12(p12: Uint8Array, password: string, opts: { legacy?: boolean } = {}): Promise<Pkcs12Dump> {
  const args = ['pkcs12', '-in', '{f.p12}', '-passin', 'env:CD_P12_PASS', '-nodes', '-info', ...(opts.legacy === true ? ['-legacy'] : [])];
  const result = await openssl(args, { files: { 'f.p12': p12 }, env: { CD_P12_PASS: password } });
  if (result.status !== 0) throw new Error(`openssl pkcs12 failed (${result.status}): ${result.stderr.trim()}`);
  return { bags: parsePkcs12Output(result.stdout), info: result.stderr };
}
