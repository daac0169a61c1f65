/**
 * Test fixture: finds private-key material in anything an operator could see (error
 * messages, stacks, `util.inspect`, JSON, logs). Framework-free so any test can use it:
 * `expect(keyMaterialLeaks(surfaces, [keyPem])).toEqual([])`.
 */
import { Buffer } from 'node:buffer';
import { createPrivateKey } from 'node:crypto';

/**
 * Every string that would reveal the key if it appeared in output: each base64 body line of
 * the key in all its encodings, and the private components (JWK `d`, `p`, `q`, …) in
 * base64url, base64 and hex. Used by leak tests.
 */
export function keyMaterialNeedles(pkcs8Pem: string, extraPems: readonly string[] = []): string[] {
  const key = createPrivateKey(pkcs8Pem);
  const needles = new Set<string>();
  for (const pem of [pkcs8Pem, ...extraPems]) {
    for (const line of pem.split(/\r?\n/)) {
      const body = line.trim();
      if (body.length >= 16 && !body.startsWith('-----') && !body.includes(':')) needles.add(body);
    }
  }
  const der = key.export({ type: 'pkcs8', format: 'der' });
  needles.add(der.toString('base64').slice(0, 64));
  needles.add(der.toString('hex').slice(0, 64));
  let jwk: Record<string, unknown> = {};
  try {
    jwk = key.export({ format: 'jwk' }) as Record<string, unknown>;
  } catch {
    // DSA and other types without a JWK form: the PEM lines above still cover them
  }
  for (const name of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
    const value = jwk[name];
    if (typeof value !== 'string') continue;
    const raw = Buffer.from(value, 'base64url');
    for (const form of [value, raw.toString('base64'), raw.toString('hex')]) if (form.length >= 16) needles.add(form.slice(0, 40));
  }
  return [...needles];
}

/**
 * The needles of `keys` found in any of `surfaces`, each shortened to 8 characters so the
 * assertion failure itself does not print the key.
 */
export function keyMaterialLeaks(surfaces: readonly string[], keys: readonly string[]): string[] {
  const found: string[] = [];
  for (const key of keys) {
    for (const needle of keyMaterialNeedles(key)) {
      if (surfaces.some((surface) => surface.includes(needle))) found.push(`${needle.slice(0, 8)}…`);
    }
  }
  return found;
}
