/**
 * Agent API fuzz cases, derived from the protocol's schemas (TypeBox schemas are JSON Schema): the
 * unauthenticated enrolment, device authentication on every authenticated route, and report
 * batches poisoned one field of one item at a time.
 */
import {
  BUILTIN_CLASSES,
  DEVICE_AUTH_HEADER,
  EnrollRequest,
  ErrorCode,
  HeartbeatBody,
  OutboxItem,
  agentOps,
} from '@steward/protocol';
import { accepts, fieldsOf, pathName, setAt, validInstance, type JsonSchema } from './schema.js';
import {
  HOSTILE_NUMBERS,
  INJECTIONS,
  UNSAFE_STRINGS,
  UNSAFE_URL_TEXT,
  hugeJson,
  pick,
  seededRandom,
} from './values.js';
import type { Category, Expectation, FuzzCase } from './run.js';

const ALL_CODES = new Set<string>(Object.values(ErrorCode));
const REFUSED: Expectation = { refuse: true, codes: ALL_CODES };
const ALLOWED: Expectation = { refuse: false };
const DEVICE_REFUSED: Expectation = {
  refuse: true,
  status: [401, 403],
  codes: new Set([
    ErrorCode.DEVICE_AUTH_FAILED,
    ErrorCode.DEVICE_UNKNOWN,
    ErrorCode.DEVICE_REVOKED,
  ]),
};

const OUTBOX_BRANCHES: JsonSchema[] = (OutboxItem as unknown as JsonSchema).anyOf ?? [];

/** The device-authenticated routes of the agent listener, with a request each would accept. */
export const DEVICE_ROUTES: { method: string; path: string; body?: unknown }[] = [
  { method: 'GET', path: agentOps.device.policy.path },
  { method: 'GET', path: agentOps.device.assignments.path },
  { method: 'POST', path: agentOps.device.heartbeat.path, body: { agentVersion: 'fuzz' } },
  {
    method: 'POST',
    path: agentOps.device.reports.path,
    body: { items: [{ ...(validInstance(OUTBOX_BRANCHES[0] ?? {}) as object), seq: 1 }] },
  },
  { method: 'GET', path: `${agentOps.distribution.contentLocations.path}?packageVersionId=fuzz` },
  {
    method: 'GET',
    path: `${agentOps.distribution.agentUpgradeLocations.path}?sha256=${'0'.repeat(64)}`,
  },
];

interface Value {
  category: Category;
  label: string;
  value?: unknown;
  raw?: string;
  expect?: Expectation;
}

/** One representative per category for a field of `schema` (strings, numbers, anything). */
export function valuesFor(s: JsonSchema, kind: string, rnd: () => number): Value[] {
  const out: Value[] = [];
  out.push({
    category: 'wrong-type',
    label: 'wrong type',
    value: kind === 'string' ? 12345 : kind === 'object' ? [] : 'fuzz',
  });
  if (kind === 'string') {
    const max = s.maxLength;
    out.push({
      category: 'huge-string',
      label: `${(max ?? 99_999) + 1} x`,
      value: 'x'.repeat((max ?? 99_999) + 1),
    });
    for (const u of UNSAFE_STRINGS)
      out.push({ category: 'unsafe-text', label: u.label, value: u.value });
    if (!s.enum && s.const === undefined)
      out.push({ category: 'injection', label: 'injection', value: pick(rnd, INJECTIONS) });
  }
  if (kind === 'number')
    for (const n of HOSTILE_NUMBERS)
      out.push(
        'raw' in n
          ? {
              category: 'number',
              label: n.label,
              raw: n.raw,
              ...(n.finite ? {} : { expect: REFUSED }),
            }
          : { category: 'number', label: n.label, value: n.value },
      );
  return out;
}

/** `body` with `v` at `path`, as JSON text (raw numbers written as they are). */
export function poisoned(
  schema: JsonSchema,
  body: unknown,
  path: (string | number)[],
  v: Value,
): string {
  const marker = '__fuzz_raw__';
  const next = setAt(schema, body, path, v.raw === undefined ? v.value : marker);
  return JSON.stringify(next).replace(`"${marker}"`, v.raw ?? '');
}

function oracle(schema: JsonSchema, text: string, v: Value): Expectation {
  if (v.expect) return v.expect;
  return accepts(schema, JSON.parse(text), 'body') ? ALLOWED : REFUSED;
}

/**
 * Enrolment without a valid secret: every field poisoned, the body malformed, too large, and
 * secrets that are made up, revoked or used up. Every case must be refused.
 */
export function enrolCases(
  secrets: { revoked: string; exhausted: string },
  seed: number,
): FuzzCase[] {
  const rnd = seededRandom(seed);
  const schema = EnrollRequest as unknown as JsonSchema;
  const base = { ...(validInstance(schema) as object), secret: 'fuzz-made-up-secret-0123456789' };
  const cases: FuzzCase[] = [];
  const add = (
    category: Category,
    input: string,
    body: string,
    expect: Expectation = REFUSED,
    type = 'application/json',
  ) =>
    cases.push({
      op: `POST ${agentOps.device.enroll.path}`,
      category,
      input,
      method: 'POST',
      path: agentOps.device.enroll.path,
      headers: { 'content-type': type },
      body,
      expect,
    });
  for (const [label, secret, code] of [
    ['made-up secret', base.secret, ErrorCode.TOKEN_INVALID],
    ['revoked token', secrets.revoked, ErrorCode.TOKEN_REVOKED],
    ['used-up token', secrets.exhausted, ErrorCode.TOKEN_EXHAUSTED],
  ] as const)
    add('bad-token', label, JSON.stringify({ ...base, secret }), {
      refuse: true,
      codes: new Set([code]),
    });
  add('malformed-json', '{"secret": ', '{"secret": ', {
    refuse: true,
    status: [400],
    codes: new Set([ErrorCode.INVALID_JSON]),
  });
  add(
    'wrong-content-type',
    'application/x-www-form-urlencoded',
    JSON.stringify(base),
    { refuse: true, status: [415], codes: new Set([ErrorCode.UNSUPPORTED_MEDIA_TYPE]) },
    'application/x-www-form-urlencoded',
  );
  // Before authentication a body is small: 3 MB is refused unread (issue 7, finding 4).
  add('body-too-large', '3 MB JSON', hugeJson(3 * 1024 * 1024), {
    refuse: true,
    status: [413],
    codes: new Set([ErrorCode.BODY_TOO_LARGE]),
  });
  add('unknown-field', 'fuzzUnknownField', JSON.stringify({ ...base, fuzzUnknownField: 1 }));
  for (const f of fieldsOf(schema))
    for (const v of valuesFor(f.schema, f.kind, rnd))
      add(v.category, `${pathName(f.path)} = ${v.label}`, poisoned(schema, base, f.path, v));
  return cases;
}

/** Every device-authenticated route without a device, or with a wrong, unknown or revoked one. */
export function deviceAuthCases(device: { deviceId: string }, revokedAuth: string): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const r of DEVICE_ROUTES)
    for (const [label, header] of [
      ['no device header', undefined],
      ['no dot', 'fuzz'],
      ['wrong key', `${device.deviceId}.wrong-key`],
      ['unknown device', 'fuzz-unknown.key'],
      ['revoked device', revokedAuth],
      ['injection as device id', `${INJECTIONS[0]}.key`],
    ] as const)
      cases.push({
        op: `${r.method} ${r.path.split('?')[0] ?? ''}`,
        category: 'device-auth',
        input: label,
        method: r.method,
        path: r.path,
        headers: {
          ...(header ? { [DEVICE_AUTH_HEADER]: header } : {}),
          ...(r.body ? { 'content-type': 'application/json' } : {}),
        },
        body: r.body === undefined ? undefined : JSON.stringify(r.body),
        expect: DEVICE_REFUSED,
      });
  // Before the device is known a body is small: 3 MB is refused unread (issue 7, finding 4),
  // as unauthenticated (the device is checked before the body) or as too large.
  cases.push({
    op: `POST ${agentOps.device.reports.path}`,
    category: 'body-too-large',
    input: '3 MB JSON without a device',
    method: 'POST',
    path: agentOps.device.reports.path,
    headers: { 'content-type': 'application/json' },
    body: hugeJson(3 * 1024 * 1024),
    expect: {
      refuse: true,
      status: [401, 413],
      codes: new Set([ErrorCode.DEVICE_AUTH_FAILED, ErrorCode.BODY_TOO_LARGE]),
    },
  });
  return cases;
}

/** A signed-in device's heartbeat and content-location query, poisoned. */
export function deviceInputCases(auth: string, seed: number): FuzzCase[] {
  const rnd = seededRandom(seed);
  const cases: FuzzCase[] = [];
  const headers = { [DEVICE_AUTH_HEADER]: auth, 'content-type': 'application/json' };
  const schema = HeartbeatBody as unknown as JsonSchema;
  const base = validInstance(schema);
  for (const f of fieldsOf(schema))
    for (const v of valuesFor(f.schema, f.kind, rnd)) {
      const body = poisoned(schema, base, f.path, v);
      cases.push({
        op: `POST ${agentOps.device.heartbeat.path}`,
        category: v.category,
        input: `${pathName(f.path)} = ${v.label}`,
        method: 'POST',
        path: agentOps.device.heartbeat.path,
        headers,
        body,
        expect: oracle(schema, body, v),
      });
    }
  const where = agentOps.distribution.contentLocations.path;
  for (const [category, text, expect] of [
    ...UNSAFE_URL_TEXT.map(
      (u) => ['unsafe-text', u.text, u.mustRefuse ? REFUSED : ALLOWED] as const,
    ),
    ['huge-string', 'x'.repeat(201), REFUSED],
    ['injection', encodeURIComponent(pick(rnd, INJECTIONS)), ALLOWED],
    ['injection', '..%2F..%2F..%2Fetc%2Fpasswd', ALLOWED],
  ] as const)
    cases.push({
      op: `GET ${where}`,
      category,
      input: `query packageVersionId = ${text.slice(0, 40)}`,
      method: 'GET',
      path: `${where}?packageVersionId=${text}`,
      headers: { [DEVICE_AUTH_HEADER]: auth },
      body: undefined,
      expect,
    });
  return cases;
}

export interface ReportCase {
  category: Category;
  input: string;
  /** The item to put between two valid ones, as JSON text with `"$SEQ"` for its sequence number. */
  item: string;
  /**
   * The case poisons the sequence number itself: if the site keeps it, later items of the device
   * may be taken as already stored, so these cases run after all the others.
   */
  hostileSeq?: boolean;
}

/**
 * Report items poisoned one field at a time, for every item type of the protocol (each branch of
 * the OutboxItem union), plus hostile sequence numbers and an unknown item type.
 */
export function reportCases(seed: number): ReportCase[] {
  const rnd = seededRandom(seed);
  const out: ReportCase[] = [];
  for (const branch of OUTBOX_BRANCHES) {
    const base = { ...(validInstance(branch) as object), seq: '$SEQ' };
    const type = String((base as { type?: unknown }).type);
    // The item unpoisoned: it must be stored, or every other case of its type proves nothing.
    out.push({ category: 'control', input: `${type} unpoisoned`, item: JSON.stringify(base) });
    for (const f of fieldsOf(branch)) {
      if (f.path[0] === 'seq' || f.path[0] === 'type') continue;
      for (const v of valuesFor(f.schema, f.kind, rnd))
        out.push({
          category: v.category,
          input: `${type} ${pathName(f.path)} = ${v.label}`,
          item: poisoned(branch, base, f.path, v),
        });
    }
    for (const n of [
      ...HOSTILE_NUMBERS,
      { label: '2^53 + 2', value: 2 ** 53 + 2 },
      { label: '0', value: 0 },
    ])
      out.push({
        category: 'number',
        input: `${type} seq = ${n.label}`,
        hostileSeq: true,
        item: JSON.stringify({ ...base, seq: '__seq__' }).replace(
          '"__seq__"',
          'raw' in n ? n.raw : JSON.stringify(n.value),
        ),
      });
  }
  out.push(...inventoryValueCases());
  out.push({
    category: 'wrong-type',
    input: 'unknown item type',
    item: '{"seq":"$SEQ","type":"fuzz:item","body":{}}',
  });
  return out;
}

/**
 * Inventory values are records keyed by class (the schema cannot list them): a machine's own data
 * with a NUL or a lone surrogate in the first text property of each built-in class, and in a
 * property name. Issue 7 found an agent stuck for ever on such a report.
 */
function inventoryValueCases(): ReportCase[] {
  const out: ReportCase[] = [];
  for (const cls of BUILTIN_CLASSES) {
    const prop = Object.entries(cls.properties).find(([, type]) => type === 'string')?.[0];
    if (!prop) continue;
    for (const u of UNSAFE_STRINGS)
      for (const [where, instance] of [
        [prop, { [prop]: u.value }],
        ['a property name', { [`${prop}${u.value}`]: 'fuzz' }],
      ] as const) {
        const body = {
          kind: 'delta',
          collectedAt: new Date(0).toISOString(),
          classes: { [cls.name]: [instance] },
        };
        out.push({
          category: 'unsafe-text',
          input: `inventory:report ${cls.name} ${where} = ${u.label}`,
          item: JSON.stringify({ seq: '$SEQ', type: 'inventory:report', body }),
        });
      }
  }
  return out;
}
