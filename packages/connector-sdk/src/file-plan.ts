/**
 * What a file-based connector writes for a Deployment, as pure data, and the idempotency
 * check that compares it with what the target holds now. Shared by file, nginx and apache.
 */
import type { FileWriteOptions, Sandbox } from './sandbox/sandbox.ts';
import type { Deployment } from './deployment.ts';
import type { FileMaterial } from './plan.ts';

export interface PlannedFile {
  readonly path: string;
  readonly data: string;
  readonly options: FileWriteOptions;
  /** Which material the file holds, so a plan can say so without the bytes. */
  readonly material?: FileMaterial;
}

/** How a file-based target's files are replaced; see `layout` in host-config.ts. */
export type FileLayout = 'Atomic' | 'InPlace';

export interface FilePathsConfig {
  readonly certificatePath: string;
  readonly privateKeyPath: string;
  readonly caPath?: string | undefined;
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
  readonly certificateMode: string;
  readonly privateKeyMode: string;
  readonly layout?: FileLayout | undefined;
}

const pem = (blocks: readonly string[]) => blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');

/** Parses an octal mode string; a key mode may never grant write or any bit to others. */
export function parseMode(text: string, isKey: boolean): number {
  const mode = Number.parseInt(text, 8);
  return isKey ? mode & 0o640 : mode;
}

/**
 * The files to write: the chain (leaf first) to the certificate path, everything above the
 * leaf to the CA path when one is configured and the Secret has a chain, and the key last.
 */
export function planFiles(config: FilePathsConfig, dep: Deployment): PlannedFile[] {
  const owner = { owner: config.owner, group: config.group };
  const certOpts = { ...owner, mode: parseMode(config.certificateMode, false) };
  const chain = dep.chainPem.length > 0 ? dep.chainPem : [dep.certificatePem];
  const files: PlannedFile[] = [{ path: config.certificatePath, data: pem(chain), options: certOpts, material: 'chain' }];
  if (config.caPath && chain.length > 1) files.push({ path: config.caPath, data: pem(chain.slice(1)), options: certOpts, material: 'ca' });
  files.push({
    path: config.privateKeyPath,
    data: dep.privateKey.reveal(),
    options: { ...owner, mode: parseMode(config.privateKeyMode, true) },
    material: 'privateKey',
  });
  return files;
}

/** True when every planned file already has exactly the planned bytes. */
export async function sameContent(sandbox: Sandbox, files: readonly PlannedFile[], signal: AbortSignal): Promise<boolean> {
  const enc = new TextEncoder();
  for (const f of files) {
    const cur = await sandbox.readFile(f.path, { signal });
    if (cur === null) return false;
    const want = enc.encode(f.data);
    if (cur.length !== want.length || !cur.every((b, i) => b === want[i])) return false;
  }
  return true;
}
