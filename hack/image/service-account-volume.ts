/**
 * The projected ServiceAccount volume a kubelet gives a pod (token, ca.crt, namespace), written
 * to a host directory for runc to bind-mount where the controller's in-cluster config looks.
 * Readable by the pod's uid only, like the kubelet's 0400 default with fsGroup.
 */
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServiceAccountFiles {
  /** A bound token of the ServiceAccount (`kubectl create token`). */
  readonly token: string;
  /** The cluster CA the apiserver's serving certificate chains to. */
  readonly ca: string;
  readonly namespace: string;
}

/** Writes the three files into a new `dir/serviceaccount`, owned by `uid`; returns that path. */
export async function writeServiceAccountVolume(dir: string, files: ServiceAccountFiles, uid: number): Promise<string> {
  const vol = join(dir, 'serviceaccount');
  await mkdir(vol);
  for (const [name, text] of [['token', files.token], ['ca.crt', files.ca], ['namespace', files.namespace]] as const) {
    await writeFile(join(vol, name), text, { mode: 0o400 });
    await chown(join(vol, name), uid, uid);
  }
  await chown(vol, uid, uid);
  await chmod(vol, 0o500);
  return vol;
}
