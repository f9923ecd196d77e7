import {
  type CallArgs,
  type HttpMethod,
  type Operation,
  operationKey,
  pathOf,
  type ResultOf,
  successStatus,
} from './operation.js';
import { responseCheck } from './response-check.js';

/** A query string's values as callers hold them; empty and absent values are left out. */
export type QueryValues = Readonly<Record<string, string | number | boolean | undefined | null>>;

/** `?a=1&b=x` from `{ a: 1, b: 'x', c: undefined }`; '' when nothing is left. */
export function queryStringOf(query: QueryValues | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** What a transport sends for one call: the method, the path with its query string, the body. */
export interface RequestLine {
  readonly method: HttpMethod;
  /** The operation's path with its parameters filled in and its query string appended. */
  readonly path: string;
  /** The JSON body, or undefined when the operation takes none. */
  readonly body: unknown;
}

/**
 * The request of one call of `op`, for transports other than `ApiClient` (the agent's and the
 * DP process's mTLS clients, the simulator's shared pool): they send it their own way and check
 * the answer with `checkAnswer`.
 */
export function requestOf<O extends Operation>(op: O, args: CallArgs<O>): RequestLine {
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- CallArgs<O> is a conditional type over the same three optional parts; reading them needs no check
  const { params, query, body } = args as {
    params?: Readonly<Record<string, unknown>>;
    query?: QueryValues;
    body?: unknown;
  };
  return { method: op.method, path: pathOf(op, params) + queryStringOf(query), body };
}

/** An answer checked against its operation's response schema. */
export type CheckedAnswer<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Checks the parsed body of a successful answer to `op` against the operation's response schema
 * (compiled once per schema, see `responseCheck`). A 204 operation's answer is `undefined`.
 */
export function checkAnswer<O extends Operation>(
  op: O,
  value: unknown,
): CheckedAnswer<ResultOf<O>> {
  const status = successStatus(op);
  const schema = op.responses[status];
  // A 204 operation has nothing to check: its result type is void.
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- ResultOf<O> is void for a 204 operation or one without a success schema
  if (status === 204 || schema === undefined) return { ok: true, value: undefined as ResultOf<O> };
  const check = responseCheck(schema);
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- checked on this line against the schema ResultOf<O> is derived from
  if (check.check(value)) return { ok: true, value: value as ResultOf<O> };
  return {
    ok: false,
    error: `${operationKey(op)} answered a body its schema refuses (${check.firstError(value)})`,
  };
}
