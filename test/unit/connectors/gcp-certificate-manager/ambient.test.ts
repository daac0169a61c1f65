/**
 * Workload identity (no credentialsRef, ambient identity allowed) is held to the grant and
 * never hands the pod's token to a tenant-chosen host. The Certificate Manager API, its OAuth
 * endpoint and the metadata server are the fake of test/support/gcp-fake; a recording listener
 * on 127.0.0.1 stands in for a metadata server or token endpoint that must see nothing.
 *
 * - The metadata server and the API come from the block, so both are declared: a policy
 *   without the metadata server is a DeniedError naming it, with zero connections to it.
 * - Even a policy listing a non-Google endpoint does not make the pod's token go there: the
 *   deploy is refused before the token is fetched (before the fix, the metadata server was
 *   asked and the token sent on).
 * - The client library never runs google-auth-library's own lookups: GCE_METADATA_HOST and
 *   GOOGLE_APPLICATION_CREDENTIALS pointing at the listener get zero connections.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ambientEndpointProblem } from '../../../../src/connectors/gcp-certificate-manager/ambient-endpoint.ts';
import { gcpCertificateManagerConnector } from '../../../../src/connectors/gcp-certificate-manager/index.ts';
import { grantShortfall } from '../../../../src/controller/grant-shortfall.ts';
import { effectiveGrant } from '../../../../packages/connector-sdk/src/sandbox/effective-grant.ts';
import { isDenied, type DeniedError } from '../../../../packages/connector-sdk/src/sandbox/errors.ts';
import type { Policy } from '../../../../packages/connector-sdk/src/sandbox/grant.ts';
import { mintCredential } from '../../../../packages/connector-sdk/src/conformance/credentials.ts';
import { startRecordingListener, type RecordingListener } from '../../../support/cloud-identity/recording-listener.ts';
import { GcpFake } from '../../../support/gcp-fake/index.ts';
import { errorOf, resultOf, run, wiBlock } from './harness.ts';

const GOOGLE_ENV = ['GCE_METADATA_HOST', 'GCE_METADATA_IP', 'METADATA_SERVER_DETECTION', 'GOOGLE_APPLICATION_CREDENTIALS'];
const saved = Object.fromEntries(GOOGLE_ENV.map((k) => [k, process.env[k]]));
let fake: GcpFake;
let listener: RecordingListener;
let dir = '';
let dep: Awaited<ReturnType<typeof mintCredential>>['deployment'];
let n = 0;

const host = (url: string) => new URL(url).host;
const ctx = { allowAmbientIdentity: true };
const policy = (hosts: string[]): Policy => ({ hosts, pathRoots: [], ambientCloudIdentity: true });
const grantOf = (block: Record<string, unknown>) => gcpCertificateManagerConnector.create(gcpCertificateManagerConnector.configSchema.parse(block)).capabilities();

beforeAll(async () => {
  fake = await GcpFake.start();
  listener = await startRecordingListener();
  dir = await mkdtemp(join(tmpdir(), 'cd-gcp-ambient-'));
  dep = (await mintCredential()).deployment;
}, 60_000);
beforeEach(() => listener.reset());
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(async () => {
  await fake?.close();
  await listener?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('gcpCertificateManager workload identity under a policy', () => {
  it('declares the API and the metadata server of the block; a policy without the metadata server names it', () => {
    const block = wiBlock(fake, `decl-${++n}`, { metadataServerUrl: listener.url });
    expect(grantOf(block).dial).toEqual([host(fake.apiUrl), listener.address]);
    expect(grantShortfall(grantOf(block), policy([host(fake.apiUrl)]))).toEqual([`dial ${listener.address}`]);
  });

  it('a policy without the metadata server: DeniedError naming it, no socket opened to it', async () => {
    const block = wiBlock(fake, `nometa-${++n}`, { metadataServerUrl: listener.url });
    const o = await run(block, dep, { ctx, grant: effectiveGrant(grantOf(block), policy([host(fake.apiUrl)])) });
    const e = o.ok ? undefined : o.error;
    expect(isDenied(e), String(e)).toBe(true);
    expect((e as DeniedError).subject).toBe(listener.address);
    expect(listener.connections).toBe(0);
  });

  it('a non-Google endpoint never receives the pod\'s token, even when the policy lists it: refused before the token is fetched', async () => {
    const block = wiBlock(fake, `rogue-${++n}`, { endpoint: 'https://collector.tenant-b.example:8443', metadataServerUrl: listener.url });
    const grant = grantOf(block);
    expect(grant.dial).toEqual(['collector.tenant-b.example:8443', listener.address]);
    const o = await run(block, dep, { ctx, grant: effectiveGrant(grant, policy([...grant.dial])) });
    expect(errorOf(o)).toMatchObject({ code: 'CD_ERR_CONNECTOR', retryable: false });
    expect(errorOf(o).message).toMatch(/refusing to send the pod's workload identity token to collector\.tenant-b\.example:8443/);
    expect(listener.connections).toBe(0);
    expect(o.sandbox.calls.request.attempted).toBe(0);
  });

  it('the library\'s own credential lookups never run: GCE_METADATA_HOST and GOOGLE_APPLICATION_CREDENTIALS see nothing', async () => {
    const adc = join(dir, 'adc.json');
    await writeFile(adc, JSON.stringify({
      type: 'external_account', audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_url: `${listener.url}/v1/token`, credential_source: { url: `${listener.url}/subject` },
    }));
    Object.assign(process.env, { GCE_METADATA_HOST: listener.address, GCE_METADATA_IP: listener.address, METADATA_SERVER_DETECTION: 'assume-present', GOOGLE_APPLICATION_CREDENTIALS: adc });
    const r = resultOf(await run(wiBlock(fake, `adc-${++n}`), dep, { ctx }));
    expect(r?.changed).toBe(true);
    expect(listener.connections).toBe(0);
  });
});

describe('ambientEndpointProblem', () => {
  it('allows https googleapis.com hosts and loopback, nothing else', () => {
    for (const ok of ['https://certificatemanager.googleapis.com', 'https://certificatemanager-psc1.p.googleapis.com', 'https://private.googleapis.com:443', 'http://127.0.0.1:8080', 'http://[::1]:9', 'http://localhost']) {
      expect(ambientEndpointProblem(ok), ok).toBeNull();
    }
    for (const bad of ['http://certificatemanager.googleapis.com', 'https://googleapis.com.evil.example', 'https://evilgoogleapis.com', 'https://10.0.0.5', 'https://certificatemanager.example.com']) {
      expect(ambientEndpointProblem(bad), bad).toMatch(/refusing to send/);
    }
  });
});
