import type { Static, TSchema } from '@sinclair/typebox';
import type { ErrorCode } from '../common/errors.js';
import type { Permission } from '../users/schemas.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call an operation: a role permission (the route checks it before the handler runs,
 * and the service checks it again), any signed-in administrator, or anyone ('public': sign-in,
 * health).
 */
export type Access = Permission | 'signed-in' | 'public' | AgentAccess;

/**
 * Who may call an operation of the agent API (`agentOps`, served on the agent listener): a caller
 * proving itself with a one-time secret in the body (`enrolment`: a device enrolling, a
 * distribution point registering), an enrolled device (its key header, checked in `onRequest`
 * before the body is read), a registered distribution point (likewise), or the holder of a
 * content access token (a signature check in the route).
 */
export type AgentAccess =
  | 'enrolment'
  | 'device'
  | 'distribution-point'
  | 'content-token'
  /** Anyone who reaches the agent listener: the install script, the site CA, agent packages. */
  | 'agent-public';

const AGENT_ACCESS: ReadonlySet<Access> = new Set<AgentAccess>([
  'enrolment',
  'device',
  'distribution-point',
  'content-token',
  'agent-public',
]);

/** True for the access kinds of the agent API (never served on the admin listener). */
export function isAgentAccess(access: Access): access is AgentAccess {
  return AGENT_ACCESS.has(access);
}

/**
 * One HTTP operation of the admin API, declared once: the server registers its route from it,
 * the client calls it, the OpenAPI document describes it. `path` is relative to `API_PREFIX`,
 * with `:name` path parameters that `params` declares. `responses` maps each success status to
 * the schema of its body (`NoContent` for 204); refusals have the shared `ErrorBody` shape and
 * `errors` lists the codes this operation's own logic returns (beyond the generic input,
 * authentication and permission refusals every operation can answer).
 */
export interface Operation {
  readonly method: HttpMethod;
  readonly path: string;
  readonly params?: TSchema;
  readonly query?: TSchema;
  readonly body?: TSchema;
  /** The body may be left out entirely (no content type, no bytes); it is then `{}`. */
  readonly bodyMayBeOmitted?: true;
  /** The body is raw bytes, not JSON (instead of `body`): see `RawBody`. */
  readonly rawBody?: RawBody;
  readonly responses: Readonly<Partial<Record<SuccessStatus, TSchema>>>;
  readonly permission: Access;
  readonly errors: readonly ErrorCode[];
  readonly summary: string;
  readonly tags: readonly string[];
  /**
   * The success answer is a stored file's raw bytes (application/octet-stream), streamed, with
   * HTTP Range (a 206 for a range); the `responses` schema only describes it (`FileBytes`).
   */
  readonly binaryResponse?: true;
  /**
   * The route upgrades to a WebSocket that carries these frames; `responses` is empty (the answer
   * is the 101 upgrade, or a refusal).
   */
  readonly webSocket?: TSchema;
  /**
   * This operation exports every row of a list operation as CSV or JSON, streamed (ADR 0032):
   * the server derives the answer from the list's own handler, read in chunks. See `exportOf`.
   */
  readonly export?: ExportSpec;
}

/** How an export operation reads its list and writes its rows (built by `exportOf`). */
export interface ExportSpec {
  /** The list operation whose rows are exported; its handler is called chunk by chunk. */
  readonly list: Operation;
  /**
   * How the list is read in chunks: by `offset`, backwards by a `before` row id (`cursor`,
   * keyset), or in one call (`whole`: lists that are not paged).
   */
  readonly paging: 'offset' | 'cursor' | 'whole';
  /** Rows per chunk: the largest `limit` the list takes (undefined when it takes none). */
  readonly chunk: number | undefined;
  /** The row fields written as CSV columns, in order; the header row names them. */
  readonly columns: readonly string[];
  /** The base of the downloaded file's name: `devices` gives `devices-2026-12-06.csv`. */
  readonly file: string;
}

export type SuccessStatus = 200 | 201 | 202 | 204;

/**
 * A request body of raw bytes (file and archive uploads): the server hands the handler the
 * stream unparsed and unbuffered, whatever its size up to `maxBytes`, and refuses any other
 * media type with UNSUPPORTED_MEDIA_TYPE; the client sends the bytes as they are.
 */
export interface RawBody {
  /** The media types accepted; a client sends the first unless it names another. */
  readonly mediaTypes: readonly [string, ...string[]];
  /** The largest body accepted, in bytes. */
  readonly maxBytes: number;
}

/** What a caller sends as a raw body: the bytes, and which of the accepted media types. */
export interface RawArgs<R extends RawBody> {
  body: NonNullable<RequestInit['body']>;
  mediaType?: R['mediaTypes'][number];
}

/** A domain's operations, keyed by a name the server's handlers and the client use. */
export type OperationGroup = Readonly<Record<string, Operation>>;

/** Declares a domain's operations; the literal types are kept, so handlers and calls are typed. */
export function defineOperations<const T extends OperationGroup>(ops: T): T {
  return ops;
}

type StaticOf<S> = S extends TSchema ? Static<S> : undefined;

/** The path parameters an operation takes (undefined when it takes none). */
export type ParamsOf<O extends Operation> = StaticOf<O['params']>;
/** The query string an operation takes. */
export type QueryOf<O extends Operation> = StaticOf<O['query']>;
/** The JSON body an operation takes. */
export type BodyOf<O extends Operation> = StaticOf<O['body']>;

/** The body of a successful answer (void for 204 No Content). */
export type ResultOf<O extends Operation> = {
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a 204 handler returns nothing (void), which the value type undefined would not accept
  [K in keyof O['responses']]: K extends 204 ? void : StaticOf<O['responses'][K]>;
}[keyof O['responses']];

/** What a caller passes: only the parts the operation declares. */
export type CallArgs<O extends Operation> = (O['params'] extends TSchema
  ? { params: Static<O['params']> }
  : { params?: never }) &
  (O['query'] extends TSchema ? { query?: Static<O['query']> } : { query?: never }) &
  (O['body'] extends TSchema ? { body: Static<O['body']> } : { body?: never }) &
  (O['rawBody'] extends RawBody ? { raw: RawArgs<O['rawBody']> } : { raw?: never });

/** The one success status of an operation (each declares exactly one). */
export function successStatus(op: Operation): SuccessStatus {
  const statuses = Object.keys(op.responses).map(Number);
  const status = statuses.find((s): s is SuccessStatus => s >= 200 && s < 300);
  if (status === undefined || statuses.length !== 1)
    throw new Error(`${op.method} ${op.path}: declare exactly one success response`);
  return status;
}

/** `/devices/:id/actions` with `{ id: 'a b' }` is `/devices/a%20b/actions`. */
export function pathOf(
  op: Operation,
  params: Readonly<Record<string, unknown>> | undefined,
): string {
  return op.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    const value = params?.[name];
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new Error(`${op.method} ${op.path}: path parameter ${name} is missing`);
    return encodeURIComponent(String(value));
  });
}

/** `GET /devices/:id`: how tests, logs and the route coverage check name an operation. */
export function operationKey(op: Pick<Operation, 'method' | 'path'>): string {
  return `${op.method} ${op.path}`;
}
