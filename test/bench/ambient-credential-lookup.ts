/**
 * What routing ambient credential lookups through the sandbox costs: the IMDSv2 lookup (PUT
 * token, GET role, GET credentials) and the container credentials lookup (token file read +
 * one GET) against a recording listener on 127.0.0.1, through a fresh checked sandbox per
 * lookup (as one deploy does), and the refusal when the address is not granted (no socket).
 * Prints a table; asserts nothing. Run: node test/bench/ambient-credential-lookup.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ambientSource } from '../../src/connectors/aws-acm/ambient-source.ts';
import { fetchAmbientCredentials } from '../../src/connectors/aws-acm/ambient-credentials.ts';
import { createSandbox } from '../../packages/connector-sdk/src/sandbox/checked-sandbox.ts';
import { LocalHost } from '../../packages/connector-sdk/src/sandbox/host/local-host.ts';
import type { Grant } from '../../packages/connector-sdk/src/sandbox/grant.ts';
import { startRecordingListener } from '../support/cloud-identity/recording-listener.ts';

const N = Number(process.env.N ?? 300);
const DOC = JSON.stringify({ Code: 'Success', AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', Token: 't' });
const host = new LocalHost();
const listener = await startRecordingListener();
listener.answer((r) => {
  if (r.method === 'PUT') return { status: 200, body: 'session' };
  if (r.path === '/latest/meta-data/iam/security-credentials/') return { status: 200, body: 'role' };
  return { status: 200, body: DOC };
});
const dir = await mkdtemp(join(tmpdir(), 'cd-bench-ambient-'));
const tokenFile = join(dir, 'token');
await writeFile(tokenFile, 'pod-identity-token');

async function measure(name: string, env: Record<string, string>, grant: Grant): Promise<string> {
  const source = ambientSource(env, 'us-east-1');
  const times: number[] = [];
  let failures = 0;
  listener.reset();
  for (let i = 0; i < N; i++) {
    const sandbox = createSandbox({ grant, host });
    const t0 = performance.now();
    try {
      await fetchAmbientCredentials(source, sandbox, new AbortController().signal);
    } catch {
      failures++;
    }
    times.push(performance.now() - t0);
    await sandbox.close();
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(2);
  return `| ${name} | ${N} | ${q(0.5)} | ${q(0.95)} | ${failures} | ${listener.connections} |`;
}

const imds = { AWS_EC2_METADATA_SERVICE_ENDPOINT: listener.url };
const pod = { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${listener.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile };
const rows = [
  await measure('IMDSv2, granted (3 requests)', imds, { read: [], write: [], exec: [], dial: [listener.address] }),
  await measure('container + token file, granted', pod, { read: [tokenFile], write: [], exec: [], dial: [listener.address] }),
  await measure('IMDSv2, address not granted (DeniedError)', imds, { read: [], write: [], exec: [], dial: [] }),
];
console.log(`| lookup through a fresh sandbox | n | p50 ms | p95 ms | failed | connections to the listener |\n|---|---|---|---|---|---|\n${rows.join('\n')}`);
await listener.close();
await rm(dir, { recursive: true, force: true });
