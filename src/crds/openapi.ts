/**
 * zod → Kubernetes structural OpenAPI v3. `z.toJSONSchema` with the openapi-3.0 target is
 * close; this pass makes it structural: integers get `format: int64` instead of ±2^53
 * bounds, date-times keep `format` without zod's long pattern, and any keyword the
 * apiserver rejects fails generation loudly instead of at `kubectl apply`.
 */
import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const FORBIDDEN = ['$ref', '$defs', 'definitions', 'const', 'anyOf', 'oneOf', 'allOf', 'not', 'patternProperties', 'dependencies', 'additionalItems', 'uniqueItems', '$schema', 'id'];

function tidy(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, JsonSchema>).map(([p, s]) => [p, tidy(s)]));
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') {
      out[k] = tidy(v as JsonSchema);
    } else {
      out[k] = v;
    }
  }
  if (out.type === 'integer') {
    if (out.maximum === MAX_SAFE) delete out.maximum;
    if (out.minimum === -MAX_SAFE) delete out.minimum;
    out.format ??= typeof out.maximum === 'number' && out.maximum <= 2147483647 ? 'int32' : 'int64';
  }
  if (out.format === 'date-time') delete out.pattern;
  if (out.additionalProperties === false) delete out.additionalProperties;
  // A free-form map (z.record of unknown) kept by the apiserver as is: no schema for its values.
  const ap = out.additionalProperties;
  if (out['x-kubernetes-preserve-unknown-fields'] === true && ap && typeof ap === 'object' && Object.keys(ap).length === 0) delete out.additionalProperties;
  return out;
}

/**
 * Lists why `schema` is not a structural schema the apiserver accepts (empty when it is).
 * Pure, so the test suite can assert it on the generated CRD.
 */
export function structuralProblems(schema: JsonSchema, path = ''): string[] {
  const problems: string[] = [];
  for (const k of FORBIDDEN) if (k in schema) problems.push(`${path || '.'}: keyword ${k} is not allowed`);
  if (Array.isArray(schema.type)) problems.push(`${path}: type arrays are not allowed`);
  if (typeof schema.type !== 'string' && !schema['x-kubernetes-int-or-string'] && !schema['x-kubernetes-preserve-unknown-fields']) {
    problems.push(`${path || '.'}: every field needs a type`);
  }
  if (schema.properties && schema.additionalProperties !== undefined) problems.push(`${path}: properties and additionalProperties are exclusive`);
  if (Array.isArray(schema.items)) problems.push(`${path}: items must be a single schema`);
  for (const [p, s] of Object.entries((schema.properties as Record<string, JsonSchema>) ?? {})) problems.push(...structuralProblems(s, `${path}.${p}`));
  if (schema.items && typeof schema.items === 'object') problems.push(...structuralProblems(schema.items as JsonSchema, `${path}[]`));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    problems.push(...structuralProblems(schema.additionalProperties as JsonSchema, `${path}{}`));
  }
  return problems;
}

/** Converts a zod schema to a structural OpenAPI v3 schema, or throws listing every problem. */
export function toStructuralSchema(schema: z.ZodType): JsonSchema {
  const raw = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw', cycles: 'throw', reused: 'inline' });
  const out = tidy(raw as JsonSchema);
  const problems = structuralProblems(out);
  if (problems.length > 0) throw new Error(`schema is not structural:\n${problems.join('\n')}`);
  return out;
}
