/**
 * How the fake answers GETs: the iControl REST resource shapes (`kind`, `name`, `partition`,
 * `fullPath`, `generation`, `selfLink`, and the attributes real responses carry, e.g. a
 * certificate's `fingerprint` as `SHA256/AB:CD:…`). Never any key material.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { CertObject, KeyObjectState, Profile, Transaction } from './model.ts';

const VERSION = '17.1.0';
const link = (path: string): string => `https://localhost/mgmt/${path}?ver=${VERSION}`;
const tilde = (fullPath: string): string => fullPath.replaceAll('/', '~');

function split(fullPath: string): { partition: string; name: string } {
  const [, partition = 'Common', ...rest] = fullPath.split('/');
  return { partition, name: rest.join('/') };
}

export function certView(c: CertObject): Record<string, unknown> {
  const x = new X509Certificate(c.pems[0] as string);
  const key = x.publicKey;
  const cn = /CN=([^\n,]+)/.exec(x.subject)?.[1] ?? '';
  return {
    kind: 'tm:sys:crypto:cert:certstate',
    ...split(c.fullPath),
    fullPath: c.fullPath,
    generation: 1,
    selfLink: link(`tm/sys/crypto/cert/${tilde(c.fullPath)}`),
    commonName: cn,
    subject: x.subject.replaceAll('\n', ','),
    issuer: x.issuer.replaceAll('\n', ','),
    expirationDate: Math.floor(new Date(x.validTo).getTime() / 1000),
    expirationString: x.validTo,
    fingerprint: `SHA256/${x.fingerprint256}`,
    keyType: `${key.asymmetricKeyType === 'ec' ? 'ec' : (key.asymmetricKeyType ?? 'unknown')}-public`,
    isBundle: c.pems.length > 1 ? 'true' : 'false',
    apiRawValues: { certificateKeySize: String(key.asymmetricKeyDetails?.modulusLength ?? ''), publicKeyType: (key.asymmetricKeyType ?? '').toUpperCase() },
  };
}

export function keyView(k: KeyObjectState): Record<string, unknown> {
  const key = createPrivateKey(k.pem);
  return {
    kind: 'tm:sys:crypto:key:keystate',
    ...split(k.fullPath),
    fullPath: k.fullPath,
    generation: 1,
    selfLink: link(`tm/sys/crypto/key/${tilde(k.fullPath)}`),
    keyType: `${key.asymmetricKeyType ?? 'unknown'}-private`,
    keySize: key.asymmetricKeyDetails?.modulusLength ?? 0,
    ...(key.asymmetricKeyDetails?.namedCurve === undefined ? {} : { curveName: key.asymmetricKeyDetails.namedCurve }),
    securityType: 'normal',
  };
}

export function profileView(p: Profile): Record<string, unknown> {
  const first = p.certKeyChain[0];
  const ref = (path: unknown, kind: 'cert' | 'key') => (typeof path === 'string' && path !== 'none' ? { link: link(`tm/sys/file/ssl-${kind}/${tilde(path)}`) } : undefined);
  return {
    kind: 'tm:ltm:profile:client-ssl:client-sslstate',
    ...split(p.fullPath),
    fullPath: p.fullPath,
    generation: p.generation,
    selfLink: link(`tm/ltm/profile/client-ssl/${tilde(p.fullPath)}`),
    defaultsFrom: '/Common/clientssl',
    // Legacy top-level attributes mirror the first entry, as on a real BIG-IP.
    cert: first?.cert ?? 'none',
    key: first?.key ?? 'none',
    chain: first?.chain ?? 'none',
    certKeyChain: p.certKeyChain.map((e) => ({
      ...e,
      ...(ref(e.cert, 'cert') === undefined ? {} : { certReference: ref(e.cert, 'cert') }),
      ...(ref(e.key, 'key') === undefined ? {} : { keyReference: ref(e.key, 'key') }),
      ...(ref(e.chain, 'cert') === undefined ? {} : { chainReference: ref(e.chain, 'cert') }),
    })),
    ciphers: 'DEFAULT',
    inheritCertkeychain: 'false',
  };
}

export function transactionView(t: Transaction): Record<string, unknown> {
  return {
    transId: t.transId,
    state: t.state,
    timeoutSeconds: 120,
    asyncExecution: false,
    validateOnly: false,
    executionTimeout: 300,
    executionTime: 0,
    failureReason: t.failureReason,
    kind: 'tm:transactionstate',
    selfLink: link(`tm/transaction/${t.transId}`),
  };
}
