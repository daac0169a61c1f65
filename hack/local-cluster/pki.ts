/**
 * Test-only PKI for the local control plane: a throwaway CA, the apiserver's serving
 * certificate, an admin client certificate (O=system:masters) and the service-account
 * signing key. Made with the openssl CLI at start-up and deleted with the temp directory,
 * so no key is ever committed. ECDSA P-256 keeps start-up fast.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export interface ControlPlanePki {
  readonly caCert: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly saKey: string;
  readonly saPub: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

async function signed(dir: string, name: string, subj: string, ext: string): Promise<void> {
  await openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj]);
  await writeFile(join(dir, `${name}.ext`), ext);
  await openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '7', '-sha256', '-out', `${name}.crt`, '-extfile', `${name}.ext`,
  ]);
}

/** Writes the PKI into `dir` (which must be private to this run) and returns the file paths. */
export async function createPki(dir: string): Promise<ControlPlanePki> {
  await openssl(dir, ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '7', '-subj', '/CN=cert-deployer-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await Promise.all([
    signed(dir, 'apiserver', '/CN=kube-apiserver',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n'),
    signed(dir, 'admin', '/O=system:masters/CN=cert-deployer-admin',
      'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n'),
    (async () => {
      await openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key']);
      await openssl(dir, ['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
    })(),
  ]);
  const p = (f: string) => join(dir, f);
  return {
    caCert: p('ca.crt'), servingCert: p('apiserver.crt'), servingKey: p('apiserver.key'),
    adminCert: p('admin.crt'), adminKey: p('admin.key'), saKey: p('sa.key'), saPub: p('sa.pub'),
  };
}
