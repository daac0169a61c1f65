/**
 * Pure: the grant a plugin target declares, computed from the manifest's grant template and
 * the target's validated config — without running plugin code, so `capabilities()` is pure
 * and the operator checks the grant against policy before the plugin is even instantiated.
 */
import type { ExecRule, Grant } from '@cert-deployer/connector-sdk/sandbox';
import type { GrantTemplate, TemplateItem } from './plugin-manifest.ts';

/** RFC 6901: the value at `pointer` in `doc`, or undefined. */
export function atPointer(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** The strings one template item stands for; `null` when a pointer names nothing or a non-string. */
function expand(item: TemplateItem, config: unknown): string[] | null {
  if (typeof item === 'string') return [item];
  const v = atPointer(config, item.config);
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((e): e is string => typeof e === 'string')) return v;
  return null;
}

function roots(items: readonly TemplateItem[], config: unknown): string[] {
  return [...new Set(items.flatMap((i) => expand(i, config) ?? []))];
}

/** The grant of a target whose validated plugin config is `config`. */
export function grantFromTemplate(t: GrantTemplate, config: unknown): Grant {
  const exec: ExecRule[] = [];
  for (const rule of t.exec) {
    const parts = rule.argv.map((i) => expand(i, config));
    if (parts.some((p) => p === null)) continue;
    const argv = parts.flatMap((p) => p!);
    if (argv.length > 0) exec.push({ argv });
  }
  return Object.freeze({ read: roots(t.read, config), write: roots(t.write, config), dial: roots(t.dial, config), exec });
}
