/**
 * The `gcpCertificateManager` connector: keeps one self-managed certificate in Certificate
 * Manager holding the Deployment's chain and key.
 *
 * Deploy reads the certificate under the configured name first. Absent: create it, labelled
 * with this target's owner label. Present and ours: update `self_managed` (and `labels` when
 * they changed) in place, so every load balancer referencing it picks the rotation up.
 * Present with the same leaf and labels: nothing to do, zero mutating requests. Present and
 * not ours (or Google-managed): refuse, terminally. Create, update and delete are long-running
 * operations; deploy waits for them to finish, bounded by its signal.
 *
 * All HTTP, token exchange included, goes through the sandbox (see sandbox-transport.ts).
 */
import { clockOf, heldCertificateOf, type Connector, type DeployContext, type DeployResult, terminal, type Deployment, type Sandbox, planRead, planResult, type PlanResult } from '@cert-deployer/connector-sdk';
import { readableName } from './api-errors.ts';
import { CertificateApi, type OperationKind, type OperationState } from './certificate-api.ts';
import type { GcpCertificateManagerConfig } from './config.ts';
import { tokenSourceFor } from './credentials.ts';
import { grantFor } from './grant.ts';
import { DEFAULT_POLL_SCHEDULE, waitForOperation, type PollSchedule, type Sleep } from './operation-wait.ts';
import { leafFingerprint } from './pem-leaf.ts';
import { MaskPath, planDeploy, shouldDelete, type ExistingCertificate } from './plan.ts';
import { SandboxTransport } from './sandbox-transport.ts';

/** The block name users write in a target (registered in src/connectors/registered.ts). */
export const GCP_CERTIFICATE_MANAGER = 'gcpCertificateManager';

/**
 * Time and waiting. By default both come from the controller's clock (`DeployContext.clock`);
 * tests may still override them one by one.
 */
export interface GcpConnectorDeps {
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly poll: PollSchedule;
}

/** `projects/<p>/locations/<l>/certificates/<id>`: the remote id kept in status. */
export function certificateName(config: GcpCertificateManagerConfig): string {
  return `${parentOf(config)}/certificates/${config.certificateId}`;
}

function parentOf(config: GcpCertificateManagerConfig): string {
  return `projects/${config.project}/locations/${config.location}`;
}

type ApiCertificate = Awaited<ReturnType<CertificateApi['get']>>;

function existingOf(cert: NonNullable<ApiCertificate>): ExistingCertificate {
  return {
    labels: { ...(cert.labels ?? {}) },
    leafFingerprint: leafFingerprint(cert.pemCertificate),
    managed: cert.managed !== null && cert.managed !== undefined,
  };
}

/** Builds the connector for one validated configuration. */
export function createGcpCertificateManagerConnector(config: GcpCertificateManagerConfig, deps: Partial<GcpConnectorDeps> = {}): Connector {
  const poll = deps.poll ?? DEFAULT_POLL_SCHEDULE;
  const grant = grantFor(config);
  const name = certificateName(config);
  const label = readableName(name);

  /** Opens the API for one deploy or undeploy, runs `work`, closes the client. */
  async function withApi<T>(signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext, work: (api: CertificateApi, sleep: Sleep) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    const clock = clockOf(ctx);
    const now = deps.now ?? (() => clock.now());
    const sleep: Sleep = deps.sleep ?? ((ms, s) => clock.sleep(ms, s));
    const tokens = tokenSourceFor(config, ctx, sandbox, now);
    const api = await CertificateApi.open(config.endpoint, new SandboxTransport(sandbox, tokens, signal), signal);
    try {
      return await work(api, sleep);
    } finally {
      await api.close();
    }
  }

  async function finish(api: CertificateApi, kind: OperationKind, op: OperationState, signal: AbortSignal, sleep: Sleep): Promise<void> {
    await waitForOperation(op, (opName) => api.poll(kind, opName), { what: `${kind} ${label}`, signal, sleep, schedule: poll });
  }

  return {
    name: GCP_CERTIFICATE_MANAGER,

    // Drift: the certificate under the configured name (one GET, after the token exchange).
    inspect: (signal, sandbox, ctx) => withApi(signal, sandbox, ctx, async (api) => {
      const cert = await api.get(name);
      if (cert === null) return { active: null, message: `${label} does not exist` };
      const held = cert.pemCertificate ? heldCertificateOf(cert.pemCertificate) : null;
      return { active: held, message: held ? `${label} holds ${held.fingerprint.slice(0, 12)}…` : `${label} holds no readable certificate` };
    }),
    capabilities: () => grant,

    async deploy(signal: AbortSignal, sandbox: Sandbox, deployment: Deployment, ctx: DeployContext): Promise<DeployResult> {
      return withApi(signal, sandbox, ctx, async (api, sleep) => {
        const current = await api.get(name);
        const plan = planDeploy({ existing: current === null ? null : existingOf(current), fingerprint: deployment.fingerprint, ownerId: ctx.ownerId, configuredLabels: config.labels });
        if (plan.kind === 'refuse') throw terminal(`${label} exists and ${plan.reason}; refusing to change it (pick another certificateId, or label it for this target)`);
        if (plan.kind === 'noop') return { changed: false, remoteId: name, message: `${label} already holds ${deployment.fingerprint.slice(0, 12)}` };
        const writesKey = plan.kind === 'create' || plan.paths.includes(MaskPath.SelfManaged);
        const body = {
          labels: plan.labels,
          ...(writesKey ? { selfManaged: { pemCertificate: deployment.chainPem.join(''), pemPrivateKey: deployment.privateKey.reveal() } } : {}),
        };
        if (plan.kind === 'create') {
          await finish(api, 'create', await api.create(parentOf(config), config.certificateId, body), signal, sleep);
          return { changed: true, remoteId: name, message: `created ${label} with ${deployment.fingerprint.slice(0, 12)}` };
        }
        await finish(api, 'update', await api.update({ ...body, name }, plan.paths), signal, sleep);
        const what = writesKey ? `updated ${label} to ${deployment.fingerprint.slice(0, 12)}` : `updated the labels of ${label}`;
        return { changed: true, remoteId: name, message: what };
      });
    },

    /**
     * Plan mode: the same read and the same pure decision (`planDeploy`), then the one request
     * deploy would make (and the operation it then polls). The read needs an OAuth token (a
     * POST); when the plan sandbox refuses it, the plan says the change is unpredictable.
     */
    async plan(signal: AbortSignal, sandbox: Sandbox, deployment: Deployment, ctx: DeployContext): Promise<PlanResult> {
      const seen = await planRead(() => withApi(signal, sandbox, ctx, async (api) => api.get(name)));
      if (!seen.ok) return planResult([{ kind: 'unpredictable', what: `whether ${label} is created, updated or already current`, why: seen.why }]);
      const current = seen.value;
      const plan = planDeploy({ existing: current === null ? null : existingOf(current), fingerprint: deployment.fingerprint, ownerId: ctx.ownerId, configuredLabels: config.labels });
      if (plan.kind === 'refuse') return planResult([{ kind: 'unpredictable', what: `the change to ${label}`, why: `deploy will refuse: it exists and ${plan.reason}` }]);
      if (plan.kind === 'noop') return planResult([], `${label} already holds ${deployment.fingerprint.slice(0, 12)}`);
      if (plan.kind === 'create') return planResult([{ kind: 'http', method: 'POST', url: `${parentOf(config)}/certificates?certificateId=${config.certificateId}`, resource: name }]);
      return planResult([{ kind: 'http', method: 'PATCH', url: `${name}?updateMask=${plan.paths.join(',')}`, resource: name }]);
    },

    async undeploy(signal: AbortSignal, sandbox: Sandbox, ctx: DeployContext): Promise<void> {
      await withApi(signal, sandbox, ctx, async (api, sleep) => {
        const current = await api.get(name);
        // Never deployed, already gone, or not ours: nothing of ours to remove.
        if (!shouldDelete(current === null ? null : existingOf(current), ctx.ownerId)) return;
        await finish(api, 'delete', await api.delete(name), signal, sleep);
      });
    },
  };
}
