/**
 * The OCI runtime spec a Kubernetes pod with the chart's security context would get, written
 * out for runc: the image's own process (entrypoint, env, working dir, user from umoci's
 * config.json) with the pod's settings laid over it. Pure, so the test can also check it says
 * what it claims (no capabilities, read-only root, uid 65532) before trusting a run.
 *
 * Differences from a kubelet-made pod, kept deliberately: the host network namespace (the
 * control plane and the SSH/TLS targets listen on this machine's loopback), no seccomp profile
 * (runc's default is none; the chart asks for RuntimeDefault, which containerd supplies), and a
 * root-owned, non-writable tmpfs on /run so the token's mount point is never created inside the
 * shared, cached image root.
 */

/** What umoci derived from the image config: the fields a runtime takes from the image. */
export interface ImageProcess {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly user: { readonly uid: number; readonly gid: number };
}

export interface PodSettings {
  /** Absolute path of the unpacked image root (mounted read-only). */
  readonly rootfs: string;
  /** Container args appended to the image entrypoint (the chart Deployment's `args`). */
  readonly args: readonly string[];
  /** Extra environment, `NAME=value` (the Downward API and KUBERNETES_SERVICE_*). */
  readonly env: readonly string[];
  /** Host directory holding token, ca.crt and namespace: the projected ServiceAccount volume. */
  readonly serviceAccountDir: string;
  /** The chart's runAsUser/runAsGroup. */
  readonly uid: number;
  readonly gid: number;
  /** The chart's memory limit, in bytes. */
  readonly memoryLimitBytes: number;
  /** The chart's /tmp emptyDir sizeLimit, in bytes. */
  readonly tmpBytes: number;
}

export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

const NO_CAPS = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };

/** The runtime spec (config.json) for one run of the image as the chart's pod. */
export function runtimeSpec(image: ImageProcess, pod: PodSettings): Record<string, unknown> {
  const env = [...image.env.filter((e) => !pod.env.some((p) => p.split('=')[0] === e.split('=')[0])), ...pod.env];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: pod.uid, gid: pod.gid, additionalGids: [pod.gid] },
      args: [...image.args, ...pod.args],
      env,
      cwd: image.cwd,
      capabilities: NO_CAPS,
      noNewPrivileges: true,
    },
    root: { path: pod.rootfs, readonly: true },
    hostname: 'cert-deployer',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'noexec', 'nodev', 'mode=755', 'size=64k'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', `size=${pod.tmpBytes}`] },
      { destination: SERVICE_ACCOUNT_MOUNT, type: 'bind', source: pod.serviceAccountDir, options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'] },
    ],
    linux: {
      // No network namespace: the host's, like hostNetwork: true.
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      resources: { memory: { limit: pod.memoryLimitBytes } },
      maskedPaths: ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}
