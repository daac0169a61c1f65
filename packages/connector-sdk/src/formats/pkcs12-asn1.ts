/**
 * The ASN.1 pieces of a PKCS#12 file (RFC 7292), built with node-forge's DER encoder from raw
 * DER inputs.
 *
 * Why not `forge.pkcs12.toPkcs12Asn1`: it parses every certificate with forge's X.509 reader,
 * which only understands RSA public keys ("Cannot read public key. OID is not RSA"), so it
 * fails on an ECDSA or Ed25519 leaf and even on an RSA leaf under an ECDSA intermediate; and it
 * takes the key as a forge RSA key object only. Here certificates go into their bags as the
 * DER they already are, and the key bag holds the node:crypto PKCS#8 DER encrypted by forge's
 * `encryptPrivateKeyInfo`, which treats PrivateKeyInfo as opaque bytes. So every key type
 * OpenSSL can write as PKCS#8 (RSA, ECDSA on any named curve, Ed25519) works the same way.
 *
 * Layout (what `openssl pkcs12 -export -certpbe NONE` writes):
 *   PFX { version 3, authSafe: data( AuthenticatedSafe [
 *           data( SafeContents [ certBag(leaf, attrs), certBag(issuer)… ] ),
 *           data( SafeContents [ pkcs8ShroudedKeyBag(EncryptedPrivateKeyInfo, attrs) ] ) ] ),
 *         macData }
 * Certificates are public, so their SafeContents is not encrypted (readers list them without
 * the password, as with `-certpbe NONE`); the key is always encrypted and the whole
 * AuthenticatedSafe is covered by the password-keyed MAC.
 */
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import forge from 'node-forge';

type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;

/** Object identifiers used in the file (RFC 7292, RFC 2985, NIST). */
export const Pkcs12Oid = {
  data: '1.2.840.113549.1.7.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** forge works on "binary strings" (one char per byte). */
export function toBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

const seq = (items: Asn1[]): Asn1 => asn1.create(U, asn1.Type.SEQUENCE, true, items);
const set = (items: Asn1[]): Asn1 => asn1.create(U, asn1.Type.SET, true, items);
const oid = (id: string): Asn1 => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (bytes: string): Asn1 => asn1.create(U, asn1.Type.OCTETSTRING, false, bytes);
const explicit0 = (inner: Asn1): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const der = (node: Asn1): string => asn1.toDer(node).getBytes();

/**
 * Bag attributes tying the key to its certificate: `localKeyID` (the same bytes on the leaf's
 * bag and the key's bag) and an optional `friendlyName`, which Windows shows as the
 * certificate's name and Java uses as the alias. forge writes BMPString as UTF-16BE.
 */
export function bagAttributes(localKeyId: Uint8Array, friendlyName?: string): Asn1 {
  const attrs = [seq([oid(Pkcs12Oid.localKeyId), set([octets(toBinary(localKeyId))])])];
  if (friendlyName !== undefined) attrs.push(seq([oid(Pkcs12Oid.friendlyName), set([asn1.create(U, asn1.Type.BMPSTRING, false, friendlyName)])]));
  return set(attrs);
}

/** A CertBag holding one X.509 certificate's DER. */
export function certBag(certificateDer: Uint8Array, attributes?: Asn1): Asn1 {
  const value = explicit0(seq([oid(Pkcs12Oid.x509Certificate), explicit0(octets(toBinary(certificateDer)))]));
  return seq(attributes === undefined ? [oid(Pkcs12Oid.certBag), value] : [oid(Pkcs12Oid.certBag), value, attributes]);
}

/** A PKCS8ShroudedKeyBag around an already-encrypted `EncryptedPrivateKeyInfo`. */
export function shroudedKeyBag(encryptedPrivateKeyInfo: Asn1, attributes: Asn1): Asn1 {
  return seq([oid(Pkcs12Oid.pkcs8ShroudedKeyBag), explicit0(encryptedPrivateKeyInfo), attributes]);
}

/** A ContentInfo of type `data` whose content is the DER of a SafeContents holding `bags`. */
export function dataContentInfo(bags: Asn1[]): Asn1 {
  return seq([oid(Pkcs12Oid.data), explicit0(octets(der(seq(bags))))]);
}

/** How the MAC over the AuthenticatedSafe is computed (RFC 7292 appendix B KDF, ID 3). */
export interface MacParameters {
  /** Exactly as forge's PKCS#12 KDF wants it: the JS string, encoded as UTF-16BE + 00 00. */
  readonly password: string;
  readonly digest: 'sha1' | 'sha256';
  readonly salt: Uint8Array;
  readonly iterations: number;
}

/**
 * The complete PFX: AuthenticatedSafe of `contentInfos`, MAC'd with HMAC-`digest` under a key
 * from the PKCS#12 KDF (the scheme `openssl pkcs12` verifies with `-passin`).
 */
export function encodePfx(contentInfos: Asn1[], mac: MacParameters): Uint8Array {
  const authSafe = der(seq(contentInfos));
  const md = mac.digest === 'sha256' ? forge.md.sha256.create() : forge.md.sha1.create();
  const macKey = forge.pkcs12.generateKey(mac.password, forge.util.createBuffer(toBinary(mac.salt)), 3, mac.iterations, md.digestLength, md);
  const keyBytes = Buffer.from(macKey.getBytes(), 'latin1');
  const digest = createHmac(mac.digest, keyBytes).update(Buffer.from(authSafe, 'latin1')).digest();
  keyBytes.fill(0);
  const macData = seq([
    seq([seq([oid(mac.digest === 'sha256' ? Pkcs12Oid.sha256 : Pkcs12Oid.sha1), asn1.create(U, asn1.Type.NULL, false, '')]), octets(toBinary(digest))]),
    octets(toBinary(mac.salt)),
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(mac.iterations).getBytes()),
  ]);
  const pfx = seq([
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    seq([oid(Pkcs12Oid.data), explicit0(octets(authSafe))]),
    macData,
  ]);
  return new Uint8Array(Buffer.from(der(pfx), 'latin1'));
}
