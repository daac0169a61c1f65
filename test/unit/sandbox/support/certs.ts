/**
 * Test certificates made at test time with the real `openssl` CLI (no fixtures on disk): a
 * CA, intermediates and leaves with DNS SANs. Fingerprints come from `openssl x509
 * -fingerprint`, independently of the code under test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  readonly certPem: string;
  readonly keyPem: string;
  /** Lowercase hex SHA-256 of the DER, as computed by openssl. */
  readonly fingerprint: string;
  readonly subject: string;
}

function openssl(args: readonly string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function fingerprintOf(cwd: string, certFile: string): string {
  const out = openssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], cwd);
  return (out.split('=')[1] ?? '').trim().replaceAll(':', '').toLowerCase();
}

/** Creates a key + certificate; self-signed when `issuer` is undefined. */
function make(subject: string, extensions: string, issuer: TestCert | undefined): TestCert {
  const cwd = mkdtempSync(join(tmpdir(), 'cd-certs-'));
  try {
    writeFileSync(join(cwd, 'ext.cnf'), `${extensions}\n`);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'key.pem'], cwd);
    openssl(['req', '-new', '-key', 'key.pem', '-subj', `/CN=${subject}`, '-out', 'req.csr'], cwd);
    const sign = issuer === undefined ? ['-key', 'key.pem'] : ['-CA', 'issuer.crt', '-CAkey', 'issuer.key', '-set_serial', String(Date.now())];
    if (issuer !== undefined) {
      writeFileSync(join(cwd, 'issuer.crt'), issuer.certPem);
      writeFileSync(join(cwd, 'issuer.key'), issuer.keyPem);
    }
    openssl(['x509', '-req', '-in', 'req.csr', ...sign, '-days', '2', '-sha256', '-extfile', 'ext.cnf', '-out', 'cert.pem'], cwd);
    return {
      certPem: readFileSync(join(cwd, 'cert.pem'), 'utf8'),
      keyPem: readFileSync(join(cwd, 'key.pem'), 'utf8'),
      fingerprint: fingerprintOf(cwd, 'cert.pem'),
      subject,
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** A self-signed CA. */
export function makeCa(cn: string): TestCert {
  return make(cn, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign', undefined);
}

/** An intermediate CA signed by `issuer`. */
export function makeIntermediate(issuer: TestCert, cn: string): TestCert {
  return make(cn, 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign', issuer);
}

/** A server leaf for `dnsNames` and 127.0.0.1, signed by `issuer`. */
export function makeLeaf(issuer: TestCert, dnsNames: readonly string[]): TestCert {
  const san = [...dnsNames.map((n) => `DNS:${n}`), 'IP:127.0.0.1'].join(',');
  return make(dnsNames[0] ?? 'leaf', `basicConstraints=critical,CA:FALSE\nsubjectAltName=${san}`, issuer);
}
