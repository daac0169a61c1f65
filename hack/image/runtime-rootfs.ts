#!/usr/bin/env node
/**
 * Builds the distroless-equivalent runtime root file system from a Debian minbase tree:
 * `node runtime-rootfs.ts <debian-rootfs> <out-dir>`.
 *
 * Why a package-level subset instead of a second debootstrap: the runtime must hold the exact
 * libraries the build image links node against, and nothing that can run a command. So it copies
 * the files dpkg lists for the C/C++ runtime libraries, tzdata, netbase and base-files, minus
 * every executable directory (no shell, no coreutils, no ldconfig/getconf), then adds what
 * distroless adds itself: the CA bundle, /etc/passwd and /etc/group with root, nonroot (65532)
 * and nobody, /home/nonroot, /tmp, and one dpkg status file per package under
 * /var/lib/dpkg/status.d so image scanners still see the package versions.
 */
import { chmodSync, copyFileSync, existsSync, lchownSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

const [src, outArg] = process.argv.slice(2);
if (src === undefined || outArg === undefined) throw new Error('usage: runtime-rootfs.ts <debian-rootfs> <out-dir>');
const out: string = outArg;
const SRC = realpathSync(src);

/** Packages whose files the runtime keeps (what distroless' cc + nodejs images hold). */
const PACKAGES = ['base-files', 'libc6', 'libgcc-s1', 'libstdc++6', 'libatomic1', 'gcc-12-base', 'tzdata', 'netbase'];
/** Nothing that can be executed, and nothing node never reads. */
const EXCLUDE = [/^usr\/(s?bin|libexec|games)\//, /^usr\/local\//, /^usr\/lib\/x86_64-linux-gnu\/gconv\//, /^usr\/share\/(lintian|man|info|locale|bug|base-files\/dot)/, /^etc\/(profile|bash|skel|update-motd)/];
const keepDoc = (rel: string): boolean => !rel.startsWith('usr/share/doc/') || rel.endsWith('/copyright');
const EXTRA = ['etc/ssl/certs/ca-certificates.crt', 'etc/ld.so.cache', 'etc/ld.so.conf', 'etc/ld.so.conf.d/x86_64-linux-gnu.conf', 'etc/ld.so.conf.d/libc.conf'];

/** `abs` inside the tree with directory symlinks (merged /usr) resolved, relative to the root. */
function canonical(abs: string): string {
  const parent = realpathSync(join(SRC, dirname(abs)));
  if (parent !== SRC && !parent.startsWith(`${SRC}/`)) throw new Error(`${abs} resolves outside the tree`);
  return join(relative(SRC, parent), basename(abs));
}

function copyEntry(rel: string): void {
  const from = join(SRC, rel);
  const to = join(out, rel);
  const st = lstatSync(from);
  if (existsSync(to) || isLink(to)) return;
  mkdirSync(dirname(to), { recursive: true, mode: 0o755 });
  if (st.isDirectory()) mkdirSync(to, { mode: st.mode & 0o7777 });
  else if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else if (st.isFile()) copyFileSync(from, to);
  else return;
  if (!st.isSymbolicLink()) chmodSync(to, st.mode & 0o7777);
  lchownSync(to, st.uid, st.gid);
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

mkdirSync(out, { recursive: true, mode: 0o755 });
// Merged-/usr links the dynamic loader path needs (/lib64/ld-linux-x86-64.so.2).
for (const top of ['lib', 'lib64']) if (isLink(join(SRC, top))) symlinkSync(readlinkSync(join(SRC, top)), join(out, top));

const kept = new Set<string>();
for (const pkg of PACKAGES) {
  const list = ['', ':amd64'].map((arch) => join(SRC, 'var/lib/dpkg/info', `${pkg}${arch}.list`)).find(existsSync);
  if (!list) throw new Error(`package ${pkg} is not installed in ${SRC}`);
  for (const line of readFileSync(list, 'utf8').split('\n')) {
    if (!line.startsWith('/') || line === '/.') continue;
    const rel = canonical(line);
    if (!existsSync(join(SRC, rel)) && !isLink(join(SRC, rel))) continue; // excluded by dpkg path-exclude
    if (lstatSync(join(SRC, rel)).isDirectory()) continue; // created on demand for what they hold
    if (EXCLUDE.some((re) => re.test(rel)) || !keepDoc(rel)) continue;
    kept.add(rel);
  }
}
for (const rel of EXTRA) if (existsSync(join(SRC, rel))) kept.add(rel);
for (const rel of [...kept].sort()) copyEntry(rel);

// The accounts distroless ships; no login shell exists, so none is named.
writeFileSync(join(out, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
writeFileSync(join(out, 'etc/group'), 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n');
writeFileSync(join(out, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n');
// Mount points exist in the image, so a runtime never has to create them in a read-only root.
for (const [dir, mode, uid] of [['root', 0o700, 0], ['home/nonroot', 0o700, 65532], ['tmp', 0o1777, 0], ['proc', 0o555, 0], ['sys', 0o555, 0], ['dev', 0o755, 0], ['run', 0o755, 0]] as const) {
  mkdirSync(join(out, dir), { recursive: true });
  chmodSync(join(out, dir), mode);
  lchownSync(join(out, dir), uid, uid);
}
// Kubernetes mounts the ServiceAccount token under /var/run/secrets; /var/run is /run, as in Debian.
mkdirSync(join(out, 'var'), { recursive: true, mode: 0o755 });
if (!isLink(join(out, 'var/run'))) symlinkSync('/run', join(out, 'var/run'));

// dpkg status per package, as distroless does, for scanners (the status file itself would claim
// every minbase package).
const status = readFileSync(join(SRC, 'var/lib/dpkg/status'), 'utf8').split('\n\n');
mkdirSync(join(out, 'var/lib/dpkg/status.d'), { recursive: true });
for (const pkg of PACKAGES) {
  const para = status.find((p) => p.startsWith(`Package: ${pkg}\n`));
  if (para) writeFileSync(join(out, 'var/lib/dpkg/status.d', pkg), `${para.trim()}\n`);
}
console.error(`runtime rootfs: ${kept.size} entries from ${PACKAGES.join(', ')}`);
