/**
 * Policy resolution benchmark (not a test: it prints numbers). Per reconcile the controller
 * resolves every target once for the spec hash (policyDigest → prepareTarget) and once more for
 * each target that runs; this measures both with many policies in the cluster.
 *   node test/bench/policy-resolve.ts [--policies 10,100,1000] [--iterations 20000]
 */
import { parseArgs } from 'node:util';
import { connectorsByName } from '../../src/connectors/registry.ts';
import { parsePolicies } from '../../src/controller/policy/policy-object.ts';
import { policyDigest } from '../../src/controller/policy/policy-digest.ts';
import { resolveTargetPolicy } from '../../src/controller/policy/resolve-policy.ts';

const { values } = parseArgs({ options: { policies: { type: 'string', default: '10,100,1000' }, iterations: { type: 'string', default: '20000' } } });
const n = Number(values.iterations);
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

for (const count of values.policies.split(',').map(Number)) {
  const raw = Array.from({ length: count }, (_, i) => ({ metadata: { name: `p${i}` }, spec: {
    namespaces: [`team-${i}`],
    hosts: [{ ssh: { address: `edge-${i}:22`, hostKeys: [KEY] }, pathRoots: [`/srv/${i}`], commands: [['/usr/sbin/nginx', '-s', 'reload']] }],
    dial: [`edge-${i}:443`], credentialSecrets: [`ssh-${i}`],
  } }));
  const t0 = performance.now();
  const policies = parsePolicies(raw);
  const parseMs = performance.now() - t0;
  const i = Math.floor(count / 2);
  const namespace = { name: `team-${i}`, labels: {} };
  const host = { ssh: { address: `edge-${i}:22`, user: 'd', credentialsRef: { name: `ssh-${i}` }, hostKey: KEY } };
  const needs = { namespace, host, secretRefs: [`ssh-${i}`], declared: { read: [], write: [`/srv/${i}/a.crt`, `/srv/${i}/a.key`], dial: [], exec: [{ argv: ['/usr/sbin/nginx', '-s', 'reload'] }] }, extraDials: [`edge-${i}:443`] };
  let ok = 0;
  const t1 = performance.now();
  for (let k = 0; k < n; k++) if (resolveTargetPolicy(policies, needs).ok) ok++;
  const resolveUs = ((performance.now() - t1) * 1000) / n;
  const target = { name: 't', file: { host, certificatePath: `/srv/${i}/a.crt`, privateKeyPath: `/srv/${i}/a.key`, reload: { argv: ['/usr/sbin/nginx', '-s', 'reload'] } } };
  const access = { namespace, policies };
  const t2 = performance.now();
  for (let k = 0; k < n / 10; k++) policyDigest(connectorsByName, target, access);
  const digestUs = ((performance.now() - t2) * 1000) / (n / 10);
  console.log(`policies=${count}\tparse=${parseMs.toFixed(1)} ms\tresolve=${resolveUs.toFixed(1)} µs/target (ok ${ok}/${n})\tdigest(prepare+hash)=${digestUs.toFixed(1)} µs/target`);
}
