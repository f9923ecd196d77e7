/**
 * Walking JSON schemas (the OpenAPI document's, or the protocol's TypeBox schemas, which are JSON
 * Schema too) to build a valid instance and to list every field a fuzz case can poison. Nothing
 * here knows an operation: a new operation or field is fuzzed without editing the suite.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

/** A place in a value: object keys and array indexes. */
export type FieldPath = (string | number)[];

export interface Field {
  path: FieldPath;
  schema: JsonSchema;
  kind: 'string' | 'number' | 'boolean' | 'array' | 'object';
}

// Strings tried, in order, against a `pattern`: the first that matches (and fits the lengths) is
// used. They cover every pattern of the document today; a new pattern none of them matches makes
// `validInstance` throw, so the suite says which candidate to add instead of fuzzing nothing.
const PATTERN_CANDIDATES = [
  'fuzz1',
  'fuzzSeed1',
  'fuzz.seed@1',
  '1',
  '/opt/fuzz',
  'fuzz/seed.txt',
  'a'.repeat(64),
  '2026-01-01T00:00',
  '2026-01-01T00:00:00Z',
  '1.0.0',
  // An IPv4 address (discovered collection members): loopback, so nothing leaves the machine.
  '127.0.0.7',
  // An apt repository URL (update sources): a loopback port nothing listens on.
  'http://127.0.0.1:9/fuzz',
  // A MAC address (imported computers), not the one the seed imports.
  '52:54:00:fa:22:09',
  // An SMBIOS UUID (imported computers).
  '4c4c4544-0042-3010-8036-b4c04f565931',
  // An OS image archive name (OS image manifests, ADR 0085).
  'root.tar.zst',
  // An IPv4 multicast address (a DP's multicast range, ADR 0088): nothing is sent by the fuzz.
  '239.255.42.1',
  // A site URL written on task-sequence media (ADR 0089): loopback; media are only built, never booted.
  'https://127.0.0.1:8443',
];

function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  if (s.properties) return 'object';
  return undefined;
}

/** The first branch of a union that is not `null` (TypeBox's Nullable puts null second or first). */
export function mainBranch(s: JsonSchema): JsonSchema {
  const branches = s.anyOf ?? s.oneOf;
  if (!branches) return s;
  const first = branches.find((b) => b.type !== 'null') ?? branches[0];
  return first ? mainBranch(first) : s;
}

function fits(value: string, s: JsonSchema): boolean {
  const len = [...value].length;
  if (s.minLength !== undefined && len < s.minLength) return false;
  if (s.maxLength !== undefined && len > s.maxLength) return false;
  return s.pattern === undefined || new RegExp(s.pattern, 'u').test(value);
}

function validString(s: JsonSchema): string {
  if (s.format === 'date-time') return '2026-01-01T00:00:00.000Z';
  if (s.format === 'ipv4') return '127.0.0.1';
  if (s.format === 'uri') return 'https://127.0.0.1/fuzz';
  const min = s.minLength ?? 0;
  const padded = 'fuzz1'.padEnd(Math.max(min, 5), 'x').slice(0, s.maxLength ?? Infinity);
  const found = [padded, ...PATTERN_CANDIDATES].find((c) => fits(c, s));
  if (found === undefined)
    throw new Error(`no candidate string fits ${JSON.stringify(s)}: add one to PATTERN_CANDIDATES`);
  return found;
}

function validNumber(s: JsonSchema): number {
  const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : undefined);
  const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : undefined);
  return Math.min(Math.max(1, lo ?? 1), hi ?? Infinity);
}

/** A small value the schema accepts: required fields only, the first branch of each union. */
export function validInstance(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.anyOf ?? schema.oneOf) return validInstance(mainBranch(schema));
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map(validInstance)) as unknown;
  switch (typeOf(schema)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        const prop = schema.properties?.[key];
        if (prop) out[key] = validInstance(prop);
      }
      return out;
    }
    case 'array': {
      const item = schema.items ? validInstance(schema.items) : 'fuzz1';
      return Array.from({ length: schema.minItems ?? 0 }, () => item);
    }
    case 'string':
      return validString(schema);
    case 'integer':
    case 'number':
      return validNumber(schema);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return 'fuzz1';
  }
}

function kindOf(s: JsonSchema): Field['kind'] | undefined {
  const t = typeOf(mainBranch(s));
  if (mainBranch(s).enum || mainBranch(s).const !== undefined) return 'string';
  switch (t) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'array';
    case 'object':
      return 'object';
    default:
      return undefined;
  }
}

/**
 * Every field of a schema, nested ones included (objects through their properties, arrays through
 * their first item, unions through their first non-null branch), bounded in depth.
 */
export function fieldsOf(schema: JsonSchema, path: FieldPath = [], depth = 0): Field[] {
  const s = mainBranch(schema);
  const out: Field[] = [];
  const kind = kindOf(s);
  if (path.length > 0 && kind) out.push({ path, schema: s, kind });
  if (depth >= 4) return out;
  if (kind === 'object')
    for (const [k, v] of Object.entries(s.properties ?? {}))
      out.push(...fieldsOf(v, [...path, k], depth + 1));
  if (kind === 'array' && s.items) out.push(...fieldsOf(s.items, [...path, 0], depth + 1));
  return out;
}

function childSchema(s: JsonSchema, key: string | number): JsonSchema {
  const m = mainBranch(s);
  if (typeof key === 'number') return m.items ?? {};
  return m.properties?.[key] ?? {};
}

/**
 * A copy of `base` (an instance of `schema`) with `value` at `path`; containers missing on the way
 * (optional objects, empty arrays) are created as valid instances first.
 */
export function setAt(schema: JsonSchema, base: unknown, path: FieldPath, value: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  const child = childSchema(schema, key);
  if (typeof key === 'number') {
    const arr = Array.isArray(base) ? [...(base as unknown[])] : [];
    const current = arr[key] ?? validInstance(child);
    arr[key] = setAt(child, current, rest, value);
    return arr;
  }
  const obj: Record<string, unknown> =
    typeof base === 'object' && base !== null && !Array.isArray(base)
      ? { ...(base as Record<string, unknown>) }
      : {};
  const current = key in obj ? obj[key] : validInstance(child);
  obj[key] = setAt(child, current, rest, value);
  return obj;
}

export function pathName(path: FieldPath): string {
  return path.length === 0 ? '(body)' : path.join('.');
}

/** The server's two validators (packages/server/src/http/validation.ts): the oracle of the suite. */
function makeAjv(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true, coerceTypes });
  ajv.addKeyword('kind').addKeyword('modifier');
  addFormats.default(ajv);
  return ajv;
}
const strictAjv = makeAjv(false);
const coercingAjv = makeAjv('array');
const compiled = new Map<string, ValidateFunction>();

/**
 * Whether the server's schema validation accepts `value`: bodies strictly, query strings and path
 * parameters with coercion, as the server does. Non-finite numbers are never accepted.
 */
export function accepts(schema: JsonSchema, value: unknown, part: 'body' | 'text'): boolean {
  const key = `${part}:${JSON.stringify(schema)}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = (part === 'body' ? strictAjv : coercingAjv).compile(schema);
    compiled.set(key, validate);
  }
  // ajv validates (and coerces) in place: work on a copy.
  const copy: unknown = value === undefined ? undefined : structuredClone(value);
  return validate(copy);
}
