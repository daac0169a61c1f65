/**
 * The real cert-manager controller as a child process against the shared control plane: its
 * CRDs applied first (Established), then the binary started with the admin kubeconfig, no
 * leader election and only the SelfSigned/CA issuance controllers, under pdeathsig so it
 * cannot outlive the test run. There is no webhook: nothing defaults or validates the specs.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { applyCrd } from '../apply-crds.ts';
import { startManaged, type ManagedProcess } from '../control-plane/child-process.ts';
import { freePort } from '../control-plane/ports.ts';
import { waitReady } from '../control-plane/readiness.ts';
import type { CertManagerBinaries } from './build.ts';

/** The controllers needed for SelfSigned and CA issuers and the Certificate lifecycle. */
export const CERT_MANAGER_CONTROLLERS = [
  'issuers', 'clusterissuers',
  'certificaterequests-approver', 'certificaterequests-issuer-selfsigned', 'certificaterequests-issuer-ca',
  'certificates-trigger', 'certificates-issuing', 'certificates-key-manager',
  'certificates-request-manager', 'certificates-readiness', 'certificates-revision-manager',
] as const;

export interface StartCertManagerOptions {
  readonly kc: KubeConfig;
  readonly kubeconfigPath: string;
  readonly binaries: CertManagerBinaries;
  /** Watch only this namespace (clusterissuers then does not run, as upstream). */
  readonly namespace?: string;
  readonly readyTimeoutMs?: number;
}

export interface RunningCertManager {
  readonly process: ManagedProcess;
  /** The CRD names applied. */
  readonly crds: readonly string[];
  /** The last lines of the controller's log, for failure messages. */
  tail(lines?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Applies every cert-manager CRD from the build's `crds/` directory; resolves when Established. */
export async function applyCertManagerCrds(kc: KubeConfig, crdDir: string): Promise<string[]> {
  const names: string[] = [];
  for (const f of (await readdir(crdDir)).filter((n) => n.endsWith('.yaml')).sort()) {
    names.push(await applyCrd(kc, parse(await readFile(join(crdDir, f), 'utf8')), 60_000));
  }
  return names;
}

/** Applies the CRDs, starts the controller and waits until its informer caches synced. */
export async function startCertManager(opts: StartCertManagerOptions): Promise<RunningCertManager> {
  const crds = await applyCertManagerCrds(opts.kc, opts.binaries.crdDir);
  const dir = await mkdtemp(join(tmpdir(), 'cert-deployer-cm-'));
  const port = await freePort();
  const proc = startManaged('cert-manager-controller', opts.binaries.controller, [
    `--kubeconfig=${opts.kubeconfigPath}`,
    '--leader-elect=false',
    `--controllers=${CERT_MANAGER_CONTROLLERS.join(',')}`,
    ...(opts.namespace ? [`--namespace=${opts.namespace}`] : []),
    `--internal-healthz-listen-address=127.0.0.1:${port}`,
    '--v=2',
  ], join(dir, 'cert-manager.log'));
  let up = true;
  void proc.exited.then(() => (up = false));
  const stop = async () => {
    await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, { deadlineMs: opts.readyTimeoutMs ?? 60_000, alive: () => up });
  } catch (err) {
    const log = await proc.tail(40);
    await stop();
    throw new Error(`${(err as Error).message}\n--- cert-manager log ---\n${log}`, { cause: err });
  }
  return { process: proc, crds, tail: (n) => proc.tail(n), stop };
}
