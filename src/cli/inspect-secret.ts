/**
 * `kubectl certdeploy inspect secret NAME`: what the credential model (the same code the
 * controller runs before touching any target) makes of a TLS Secret: the chain in the order it
 * would be deployed, the key type, the fingerprint, and every problem found. It never prints
 * the key: only facts derived from the certificates and the key's algorithm are read. Pure
 * apart from the injected `now`.
 */
import { X509Certificate } from 'node:crypto';
import { isInvalidCertificate, inspectTlsSecret, scanPem, describeSubject, type TlsSecretData } from '@cert-deployer/connector-sdk';

export interface SecretReport {
  readonly ok: boolean;
  readonly text: string;
}

function certificatesIn(field: Uint8Array | string | undefined): X509Certificate[] {
  if (field === undefined) return [];
  const text = typeof field === 'string' ? field : Buffer.from(field).toString('latin1');
  const out: X509Certificate[] = [];
  for (const b of scanPem(text, 'tls.crt')) {
    if (b.label !== 'CERTIFICATE') continue;
    try {
      out.push(new X509Certificate(b.der));
    } catch {
      // reported by the model's own parse
    }
  }
  return out;
}

/** Inspects the Secret's data (already base64-decoded) as of `now`. */
export function inspectSecret(name: string, data: TlsSecretData, now: Date): SecretReport {
  const lines = [`Secret: ${name}`];
  let dep;
  let weaknesses;
  try {
    ({ deployment: dep, weaknesses } = inspectTlsSecret(data, { now }));
  } catch (err) {
    if (!isInvalidCertificate(err)) throw err;
    lines.push('Usable: no', `Problem: ${err.reason}${err.field ? ` in ${err.field}` : ''}: ${err.message}`);
    return { ok: false, text: `${lines.join('\n')}\n` };
  }
  const chain = dep.chainPem.map((p) => new X509Certificate(p));
  const given = certificatesIn(data['tls.crt']);
  const ca = certificatesIn(data['ca.crt']);
  const problems: string[] = [];
  const inChain = new Set(chain.map((c) => c.fingerprint256));
  const unlinked = [...given, ...ca].filter((c, i, all) => !inChain.has(c.fingerprint256) && all.findIndex((o) => o.fingerprint256 === c.fingerprint256) === i);
  for (const c of unlinked) problems.push(`"${describeSubject(c)}" does not link into the chain and is not deployed`);
  const givenOrder = given.map((c) => c.fingerprint256).filter((f) => inChain.has(f));
  const deployedOrder = chain.map((c) => c.fingerprint256).filter((f) => givenOrder.includes(f));
  if (givenOrder.join() !== deployedOrder.join()) problems.push('tls.crt lists the chain out of order; it is deployed leaf first as above');
  const last = chain.at(-1)!;
  if (chain.length === 1 && last.issuer !== last.subject) problems.push('no intermediate certificates: clients that lack the issuer cannot build a path');
  const daysLeft = Math.floor((dep.notAfter.getTime() - now.getTime()) / 86_400_000);
  if (daysLeft < 14) problems.push(`the certificate expires in ${daysLeft} days`);
  for (const w of weaknesses) problems.push(`weak (${w.reason}): ${w.message}; deployed with a WeakCredential condition, refused under --weak-credentials=Refuse`);
  lines.push(
    'Usable: yes',
    `Fingerprint: ${dep.fingerprint}`,
    `Key type: ${dep.keyAlgorithm} (matches the leaf certificate)`,
    `Not before: ${dep.notBefore.toISOString()}`,
    `Not after: ${dep.notAfter.toISOString()} (${daysLeft} days left)`,
    `DNS names: ${dep.dnsNames.join(', ') || '-'}`,
    'Chain (deploy order):',
    ...chain.map((c, i) => `  ${i}. ${describeSubject(c)}  (issuer: ${c.issuer.replace(/\n/g, ', ')}${c.issuer === c.subject ? ', self-signed root' : ''})`),
    `Problems: ${problems.length === 0 ? 'none' : ''}`,
    ...problems.map((p) => `  - ${p}`),
  );
  return { ok: true, text: `${lines.join('\n')}\n` };
}
