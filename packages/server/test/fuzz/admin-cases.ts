/**
 * Admin API fuzz cases, derived from the server's own OpenAPI document: every operation, every
 * parameter and body field, each poisoned one at a time with one representative per category.
 * What the document cannot tell is listed here, short and named: which operations are public,
 * which non-GET operations only read, which take a raw (non-JSON) body, and the seed objects whose
 * ids fill path parameters and id-valued body fields.
 */
import { ErrorCode } from '@steward/protocol';
import {
  accepts,
  fieldsOf,
  mainBranch,
  pathName,
  setAt,
  validInstance,
  type Field,
  type JsonSchema,
} from './schema.js';
import {
  HOSTILE_NUMBERS,
  HOSTILE_NUMBER_TEXT,
  INJECTIONS,
  UNSAFE_STRINGS,
  UNSAFE_URL_TEXT,
  hugeJson,
  pick,
  seededRandom,
} from './values.js';
import type { Expectation, FuzzCase } from './run.js';
import type { Operation } from './openapi.js';

/** Reachable without a session (deny-by-default: any other operation must answer 401). */
export const PUBLIC_OPERATIONS = new Set(['GET /api/v1/health', 'POST /api/v1/auth/login']);

/** Non-GET operations the read-only analyst may call: they compute, they do not write. */
export const ANALYST_MAY_CALL = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /api/v1/queries/validate',
  'POST /api/v1/collections/preview',
  // Saved views are each user's own list preferences (ADR 0034): an analyst saves theirs too.
  'POST /api/v1/views',
  'PATCH /api/v1/views/{id}',
  'DELETE /api/v1/views/{id}',
  'PUT /api/v1/views/{id}/default',
  'DELETE /api/v1/views/{id}/default',
  // Running a report reads (a POST for its parameter body; ADR 0053): an analyst runs reports.
  'POST /api/v1/sql-reports/{id}/run',
  // A rule's preview reads the catalog (a POST for its filter body; ADR 0072).
  'POST /api/v1/update-rules/preview',
]);

/** Operations whose body is a stream, not JSON (the document does not describe it). */
export const RAW_BODY: Record<string, { type: string; body: string }> = {
  'PUT /api/v1/content/files/{sha256}': { type: 'application/octet-stream', body: 'fuzz' },
  'POST /api/v1/packages/{id}/versions/archive': { type: 'application/x-tar', body: '' },
};

/**
 * Seed objects created before fuzzing. `paths` is keyed by the path segment before a parameter
 * (`users/{id}` -> `users`); `fields` by a body field name (`programId`). A new resource whose
 * segment has no seed makes the suite throw, naming it.
 */
export interface Seeds {
  paths: Record<string, string>;
  fields: Record<string, string>;
}

export interface Credentials {
  admin: string;
  analyst: string;
  /** A token that was valid and was logged out. */
  loggedOut: string;
}

const ALL_CODES = new Set<string>(Object.values(ErrorCode));
/** Any 4xx status, with a code of the ErrorCode table. */
const REFUSED: Expectation = { refuse: true, codes: ALL_CODES };
const ALLOWED: Expectation = { refuse: false };

function refused(status: number[], codes: string[]): Expectation {
  return { refuse: true, status, codes: new Set(codes) };
}

class Builder {
  readonly cases: FuzzCase[] = [];
  constructor(
    readonly op: Operation,
    readonly seeds: Seeds,
    readonly creds: Credentials,
    readonly rnd: () => number,
  ) {}

  pathParam(name: string): string {
    const segments = this.op.template.split('/');
    const at = segments.indexOf(`{${name}}`);
    const key = segments[at - 1] ?? '';
    const seed = this.seeds.paths[key];
    if (seed === undefined) throw new Error(`${this.op.id}: no seed for "${key}/{${name}}"`);
    return encodeURIComponent(seed);
  }

  /** The request path with seeded path parameters, required query parameters, and overrides. */
  url(over: { path?: Record<string, string>; query?: Record<string, string> } = {}): string {
    let path = this.op.template;
    for (const p of this.op.params.filter((x) => x.in === 'path'))
      path = path.replace(`{${p.name}}`, over.path?.[p.name] ?? this.pathParam(p.name));
    const query: string[] = [];
    for (const p of this.op.params.filter((x) => x.in === 'query' && x.required))
      query.push(`${p.name}=${encodeURIComponent(String(validInstance(p.schema)))}`);
    for (const [k, v] of Object.entries(over.query ?? {})) query.push(`${k}=${v}`);
    return query.length ? `${path}?${query.join('&')}` : path;
  }

  /** A body the schema accepts, with seeded ids where a field names another object. */
  validBody(): unknown {
    const schema = this.op.body;
    if (!schema) return undefined;
    let body = validInstance(schema);
    // A fresh name each time: a refusal must be about the poisoned field, not a name taken by an
    // earlier case that was (rightly or wrongly) accepted.
    const named = setAt(schema, body, ['name'], `fuzz${++nameCounter}n`);
    if (schema.properties?.name && accepts(schema, named, 'body')) body = named;
    for (const f of fieldsOf(schema)) {
      const name = f.path.at(-1);
      const seed = typeof name === 'string' ? this.seeds.fields[name] : undefined;
      if (seed === undefined || !hasPath(body, f.path.slice(0, -1))) continue;
      const value = f.kind === 'array' ? [seed] : seed;
      const next = setAt(schema, body, f.path, value);
      if (accepts(schema, next, 'body')) body = next;
    }
    return body;
  }

  add(c: Omit<FuzzCase, 'op' | 'method' | 'headers'> & { headers?: Record<string, string> }) {
    const raw = RAW_BODY[this.op.id];
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.creds.admin}`,
      ...(this.op.body ? { 'content-type': 'application/json' } : {}),
      ...(raw ? { 'content-type': raw.type } : {}),
      ...c.headers,
    };
    for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
    this.cases.push({
      ...c,
      op: this.op.id,
      method: this.op.method,
      headers,
      body: c.body ?? raw?.body,
    });
  }

  jsonBody(): string | undefined {
    const b = this.validBody();
    return b === undefined ? undefined : JSON.stringify(b);
  }

  authCases(): void {
    if (PUBLIC_OPERATIONS.has(this.op.id)) return;
    const body = this.jsonBody();
    const url = this.url();
    const unauth = refused([401], [ErrorCode.UNAUTHENTICATED, ErrorCode.SESSION_EXPIRED]);
    this.add({
      category: 'no-auth',
      input: 'no Authorization',
      path: url,
      body,
      headers: { authorization: '' },
      expect: unauth,
    });
    for (const [label, token] of [
      ['a made-up token', 'fuzz-not-a-token'],
      ['a logged-out token', this.creds.loggedOut],
      ['Basic scheme', ''],
    ] as const)
      this.add({
        category: 'bad-token',
        input: label,
        path: url,
        body,
        headers: { authorization: token ? `Bearer ${token}` : 'Basic YWRtaW46YWRtaW4=' },
        expect: unauth,
      });
    // The router decodes and normalises paths; the auth check must see the same path.
    const rest = url.slice('/api/'.length);
    for (const path of [
      `/%61pi/${rest}`,
      `/%2561pi/${rest}`,
      `/api/./${rest}`,
      `/api/fuzz/../${rest}`,
      `/api%2F${rest}`,
      `//api/${rest}`,
      `/API/${rest}`,
    ])
      this.add({
        category: 'encoded-path',
        input: path,
        path,
        body,
        headers: { authorization: '' },
        expect: { refuse: true, codes: ALL_CODES, consoleIndexOk: true },
      });
  }

  analystCases(): void {
    if (this.op.method === 'GET' || ANALYST_MAY_CALL.has(this.op.id)) return;
    this.add({
      category: 'analyst-write',
      input: 'read-only-analyst session, valid request',
      path: this.url(),
      body: this.jsonBody(),
      headers: { authorization: `Bearer ${this.creds.analyst}` },
      expect: refused([403], [ErrorCode.FORBIDDEN]),
    });
  }

  wholeBodyCases(): void {
    if (!this.op.body) return;
    const path = this.url();
    const body = this.jsonBody() ?? '{}';
    const invalid = refused([400], [ErrorCode.INVALID_JSON]);
    this.add({
      category: 'malformed-json',
      input: '{"fuzz": ',
      path,
      body: '{"fuzz": ',
      expect: invalid,
    });
    this.add({ category: 'malformed-json', input: 'empty body', path, body: '', expect: invalid });
    this.add({
      category: 'wrong-content-type',
      input: 'application/x-www-form-urlencoded',
      path,
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      expect: refused([415], [ErrorCode.UNSUPPORTED_MEDIA_TYPE]),
    });
    // Fastify parses text/plain as a string: the schema then refuses it.
    this.add({
      category: 'wrong-content-type',
      input: 'text/plain',
      path,
      body,
      headers: { 'content-type': 'text/plain' },
      expect: refused([400, 415], [ErrorCode.INVALID_INPUT, ErrorCode.UNSUPPORTED_MEDIA_TYPE]),
    });
    this.add({
      category: 'body-too-large',
      input: '3 MB JSON',
      path,
      body: hugeJson(3 * 1024 * 1024),
      expect: refused([413], [ErrorCode.BODY_TOO_LARGE]),
    });
    this.add({
      category: 'wrong-type',
      input: 'body is an array',
      path,
      body: '[]',
      expect: refused([400], [ErrorCode.INVALID_INPUT]),
    });
    const unknown = { ...(this.validBody() as object), fuzzUnknownField: 1 };
    this.add({
      category: 'unknown-field',
      input: 'fuzzUnknownField',
      path,
      body: JSON.stringify(unknown),
      expect: this.oracle(unknown),
    });
  }

  /** Refused (400 INVALID_INPUT) when the server's schema refuses it; otherwise no 5xx. */
  oracle(body: unknown): Expectation {
    const schema = this.op.body ?? {};
    return accepts(schema, body, 'body') ? ALLOWED : refused([400], [ErrorCode.INVALID_INPUT]);
  }

  fieldCase(
    f: Field,
    category: FuzzCase['category'],
    label: string,
    value: unknown,
    raw?: string,
    expect?: Expectation,
  ): void {
    const schema = this.op.body ?? {};
    const marker = '__fuzz_raw__';
    const body = setAt(schema, this.validBody(), f.path, raw === undefined ? value : marker);
    const text = JSON.stringify(body).replace(`"${marker}"`, raw ?? '');
    this.add({
      category,
      input: `${pathName(f.path)} = ${label}`,
      path: this.url(),
      body: text,
      expect: expect ?? this.oracle(JSON.parse(text)),
    });
  }

  bodyFieldCases(): void {
    if (!this.op.body) return;
    for (const f of fieldsOf(this.op.body)) {
      const s = f.schema;
      const wrong = f.kind === 'string' ? 12345 : f.kind === 'object' ? [] : 'fuzz';
      this.fieldCase(f, 'wrong-type', JSON.stringify(wrong), wrong);
      if (f.kind === 'string') this.stringFieldCases(f, s);
      if (f.kind === 'number')
        for (const n of HOSTILE_NUMBERS) {
          if ('raw' in n)
            this.fieldCase(
              f,
              'number',
              n.label,
              undefined,
              n.raw,
              n.finite ? undefined : refused([400], [...ALL_CODES]),
            );
          else this.fieldCase(f, 'number', n.label, n.value);
        }
    }
  }

  stringFieldCases(f: Field, s: JsonSchema): void {
    const max = s.maxLength;
    if (max !== undefined) {
      this.fieldCase(f, 'huge-string', `${max + 1} x`, 'x'.repeat(max + 1));
      // Length in code points at the limit: creation and reading must agree (finding 9).
      this.fieldCase(f, 'huge-string', `${max} emoji`, '\u{1F600}'.repeat(max));
    } else this.fieldCase(f, 'huge-string', '100000 x', 'x'.repeat(100_000));
    for (const u of UNSAFE_STRINGS)
      this.fieldCase(f, 'unsafe-text', u.label, u.value, undefined, REFUSED_400);
    if (!mainBranch(s).enum) this.fieldCase(f, 'injection', '', pick(this.rnd, INJECTIONS));
  }

  paramCases(): void {
    for (const p of this.op.params.filter((x) => x.in === 'query' || x.in === 'path')) {
      const s = mainBranch(p.schema);
      const values: { category: FuzzCase['category']; text: string; expect?: Expectation }[] = [];
      for (const u of UNSAFE_URL_TEXT)
        values.push({
          category: 'unsafe-text',
          text: u.text,
          expect: u.mustRefuse ? REFUSED : ALLOWED,
        });
      const isNumber = s.type === 'integer' || s.type === 'number';
      if (isNumber)
        for (const n of HOSTILE_NUMBER_TEXT)
          values.push({
            category: 'number',
            text: n.text,
            ...(n.finite ? {} : { expect: REFUSED }),
          });
      values.push({ category: 'wrong-type', text: isNumber || s.enum ? 'fuzz' : '[]' });
      const len = s.maxLength !== undefined ? s.maxLength + 1 : 5000;
      values.push({ category: 'huge-string', text: 'x'.repeat(len) });
      values.push({ category: 'injection', text: encodeURIComponent(pick(this.rnd, INJECTIONS)) });
      for (const v of values) {
        const decoded = safeDecode(v.text);
        const ok = decoded !== undefined && accepts(p.schema, decoded, 'text');
        const expect = v.expect ?? (ok ? ALLOWED : REFUSED);
        const over =
          p.in === 'path' ? { path: { [p.name]: v.text } } : { query: { [p.name]: v.text } };
        this.add({
          category: v.category,
          input: `${p.in} ${p.name} = ${short(v.text)}`,
          path: this.url(over),
          body: this.jsonBody(),
          expect,
        });
      }
    }
  }
}

let nameCounter = 0;
const REFUSED_400: Expectation = { refuse: true, status: [400], codes: ALL_CODES };

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 20)}...(${s.length} chars)` : s;
}

function hasPath(value: unknown, path: (string | number)[]): boolean {
  let v = value;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return false;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v !== undefined;
}

/** A body the operation's schema accepts, with seeded ids: for creating the seeds themselves. */
export function validRequestBody(op: Operation, seeds: Seeds): unknown {
  return new Builder(
    op,
    seeds,
    { admin: '', analyst: '', loggedOut: '' },
    seededRandom(0),
  ).validBody();
}

/** Every case for one operation, in a stable order for a given seed. */
export function casesFor(
  op: Operation,
  seeds: Seeds,
  creds: Credentials,
  seed: number,
): FuzzCase[] {
  const b = new Builder(op, seeds, creds, seededRandom(seed));
  b.authCases();
  b.analystCases();
  b.wholeBodyCases();
  b.bodyFieldCases();
  b.paramCases();
  return b.cases;
}
