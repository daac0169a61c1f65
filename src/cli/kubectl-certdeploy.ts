#!/usr/bin/env node
/**
 * `kubectl certdeploy` (kubectl finds `kubectl-certdeploy` on PATH): day-to-day operations on
 * CertificateDeployments for the engineer on call.
 *
 *   kubectl certdeploy status NAME [-n NS]                  per-target table
 *   kubectl certdeploy redeploy NAME [--target T]... [-n NS]  one deploy now, even when unchanged
 *   kubectl certdeploy inspect secret NAME [-n NS]          what the credential model makes of a Secret
 *   kubectl certdeploy explain-denial NAME [--target T] [-n NS]  what a denied target lacks, which policy could allow it
 *
 * Exit codes: 0 done, 1 failed (not found, API error, unusable Secret), 2 usage.
 */
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { CertDeployerError, ErrorCode, hasCode } from '../core/errors.ts';
import { connectorsByName } from '../connectors/registry.ts';
import { parsePolicies } from '../controller/policy/policy-object.ts';
import { GROUP, PLURAL, POLICY_PLURAL, VERSION } from '../crds/names.ts';
import { explainDenial } from './explain-denial.ts';
import { inspectSecret } from './inspect-secret.ts';
import { KubeconfigError, loadKubeConfig } from './kubeconfig.ts';
import { redeployPatch } from './redeploy.ts';
import { renderStatus, type DeploymentView } from './status-table.ts';

const USAGE = `Usage:
  kubectl certdeploy status NAME [-n NAMESPACE]
  kubectl certdeploy redeploy NAME [--target TARGET]... [-n NAMESPACE]
  kubectl certdeploy inspect secret NAME [-n NAMESPACE]
  kubectl certdeploy explain-denial NAME [--target TARGET] [-n NAMESPACE]

Flags:
  -n, --namespace NS   namespace (default: the kubeconfig context's, else "default")
      --kubeconfig PATH  kubeconfig (default: KUBECONFIG, then ~/.kube/config, then in-cluster)
      --target T       with redeploy: only this target (repeat or comma-separate);
                       with explain-denial: explain this target (default: every denied one)
  -h, --help           this help
`;

/** The plugin was called wrongly; exit code 2. */
class UsageError extends CertDeployerError {
  constructor(message: string) {
    super(ErrorCode.Usage, message, { retryable: false });
    this.name = 'UsageError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.Usage);
  }
}

const api = (kc: KubeConfig) => ({ objects: kc.makeApiClient(CustomObjectsApi), core: kc.makeApiClient(CoreV1Api) });

async function getDeployment(kc: KubeConfig, namespace: string, name: string): Promise<DeploymentView> {
  return (await api(kc).objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as DeploymentView;
}

async function run(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { namespace: { type: 'string', short: 'n' }, kubeconfig: { type: 'string' }, target: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const [command, ...rest] = positionals;
  const kc = await loadKubeConfig(values.kubeconfig ?? process.env.KUBECONFIG, process.env, 'kubectl');
  const namespace = values.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const targets = (values.target ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  if (targets.length > 0 && command !== 'redeploy' && command !== 'explain-denial') throw new UsageError('--target is only for redeploy and explain-denial');
  switch (command) {
    case 'status': {
      if (rest.length !== 1) throw new UsageError('status takes one NAME');
      out(renderStatus(await getDeployment(kc, namespace, rest[0]!)));
      return 0;
    }
    case 'redeploy': {
      if (rest.length !== 1) throw new UsageError('redeploy takes one NAME');
      const d = await getDeployment(kc, namespace, rest[0]!);
      const patch = redeployPatch((d.spec?.targets ?? []).map((t) => t.name), targets, new Date());
      await api(kc).objects.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name: rest[0]!, body: patch },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const at = Object.values(patch.metadata.annotations)[0];
      out(`certificatedeployment ${namespace}/${rest[0]} redeploy requested at ${at} for ${targets.length > 0 ? `targets ${targets.join(', ')}` : 'every target'}\n`);
      return 0;
    }
    case 'inspect': {
      if (rest[0] !== 'secret' || rest.length !== 2) throw new UsageError('inspect takes: secret NAME');
      const secret = await api(kc).core.readNamespacedSecret({ namespace, name: rest[1]! });
      const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
      const report = inspectSecret(`${namespace}/${rest[1]}`, data, new Date());
      out(report.text);
      return report.ok ? 0 : 1;
    }
    case 'explain-denial': {
      if (rest.length !== 1) throw new UsageError('explain-denial takes one NAME');
      if (targets.length > 1) throw new UsageError('explain-denial takes at most one --target');
      const { objects, core } = api(kc);
      const [d, nsObj, list] = await Promise.all([
        getDeployment(kc, namespace, rest[0]!),
        core.readNamespace({ name: namespace }),
        objects.listClusterCustomObject({ group: GROUP, version: VERSION, plural: POLICY_PLURAL }) as Promise<{ items?: { metadata?: { name?: string }; spec?: unknown }[] }>,
      ]);
      const report = explainDenial(d, { name: namespace, labels: nsObj.metadata?.labels ?? {} }, parsePolicies(list.items ?? []), connectorsByName, targets[0]);
      out(report.text);
      return report.ok ? 0 : 1;
    }
    default:
      throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required');
  }
}

/** The API's own message for a failed call (e.g. `certificatedeployments... "x" not found`). */
function apiMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown }).body;
  if (typeof body !== 'string') return undefined;
  try {
    return (JSON.parse(body) as { message?: string }).message;
  } catch {
    return undefined;
  }
}

run(process.argv.slice(2), (s) => process.stdout.write(s)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = (err as { code?: unknown } | null)?.code;
    const usage = err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`kubectl certdeploy: ${apiMessage(err) ?? (err instanceof Error ? err.message : String(err))}\n${usage ? `\n${USAGE}` : ''}`);
    process.exit(usage || err instanceof KubeconfigError ? 2 : 1);
  },
);
