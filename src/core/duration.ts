/**
 * Go-style durations (`1h`, `30m`, `1h30m`, `45s`) as the CRD spells intervals, because that
 * is what Kubernetes users already write (cert-manager's `renewBefore`, CEL's `duration()`).
 * Pure, so the schema and the controller parse the same way.
 */

/**
 * `<n>h<n>m<n>s`, each part optional; whole numbers only. No lookahead (the API server checks
 * CRD patterns with Go's RE2), so the empty string matches too: {@link parseDuration} refuses it.
 */
export const DURATION_PATTERN = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds of a duration string, or `undefined` when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text);
  if (!m || text === '') return undefined;
  const [h, min, s] = [m[1], m[2], m[3]].map((x) => (x === undefined ? 0 : Number(x)));
  return ((h! * 60 + min!) * 60 + s!) * 1000;
}
