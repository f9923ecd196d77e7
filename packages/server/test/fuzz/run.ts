/**
 * Sending fuzz cases and judging the answers: raw HTTP(S) requests (paths are sent byte for byte,
 * `%61pi` and `..` included), the verdict of each response, per-table row counts taken from the
 * database itself before and after each group of refused requests, and the figures of a run.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_URL, REPO, type Site } from '../../../../test-support/site.js';

export type Category =
  | 'no-auth'
  | 'bad-token'
  | 'encoded-path'
  | 'analyst-write'
  | 'malformed-json'
  | 'wrong-content-type'
  | 'body-too-large'
  | 'wrong-type'
  | 'unknown-field'
  | 'huge-string'
  | 'unsafe-text'
  | 'number'
  | 'injection'
  | 'device-auth'
  | 'huge-batch'
  /** A poisoned report item harmed the device's later reporting. */
  | 'device-reporting'
  /** A valid input, sent so that the cases poisoning it are known to reach the site's logic. */
  | 'control';

/**
 * `refuse`: a 4xx is required (with one of `status` when given) whose body is `{code, message}`
 * with a code of `codes`, and no row may be written. Otherwise only "no 5xx, and a stable code if
 * refused" is required: the input is valid for the schema (an injection string is a fine name).
 */
export type Expectation =
  | { refuse: true; status?: number[]; codes: ReadonlySet<string>; consoleIndexOk?: boolean }
  | { refuse: false };

export interface FuzzCase {
  op: string;
  category: Category;
  /** What was poisoned and with what, for the failure report. */
  input: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  expect: Expectation;
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface Failure {
  op: string;
  category: Category;
  input: string;
  status: number;
  code: string | undefined;
  problem: string;
}

/** One request, exactly as given (no URL normalisation). TLS without trust: not under test. */
export function send(
  baseUrl: string,
  c: Pick<FuzzCase, 'method' | 'path' | 'headers' | 'body'>,
): Promise<Response> {
  const url = new URL(baseUrl);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: c.method,
        path: c.path,
        headers: {
          ...c.headers,
          ...(c.body !== undefined ? { 'content-length': Buffer.byteLength(c.body) } : {}),
        },
        rejectUnauthorized: false,
        // A connection per request: a kept-alive socket the server closes as idle at the moment
        // it is reused fails with "socket hang up", a race of the client, not an answer.
        agent: false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    // A server that refuses a large body answers at once and closes: the client's write then
    // fails (EPIPE, ECONNRESET) although the answer arrived. Only a request that got no answer
    // by the time its socket closed has failed.
    let answered = false;
    let failure: Error | undefined;
    req.on('error', (err) => (failure = err));
    req.on('close', () => {
      if (!answered) reject(failure ?? new Error('connection closed without an answer'));
    });
    req.end(c.body);
  });
}

function errorCode(r: Response): string | undefined {
  try {
    const parsed: unknown = JSON.parse(r.text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const code = 'code' in parsed ? parsed.code : undefined;
    const message = 'message' in parsed ? parsed.message : undefined;
    return typeof code === 'string' && typeof message === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with a response, or undefined when it is what the case requires. */
export function judge(
  c: FuzzCase,
  r: Response,
  knownCodes: ReadonlySet<string>,
): string | undefined {
  const code = errorCode(r);
  if (r.status >= 500) return `server error ${r.status}`;
  if (r.status >= 400) {
    if (code === undefined)
      return `refused without a {code, message} body: ${r.text.slice(0, 200)}`;
    if (!knownCodes.has(code)) return `code ${code} is not in ErrorCode`;
  }
  if (!c.expect.refuse) return undefined;
  if (r.status < 400) {
    const html = String(r.headers['content-type'] ?? '').startsWith('text/html');
    if (c.expect.consoleIndexOk && r.status === 200 && html) return undefined;
    return `accepted (${r.status}) where a refusal was required`;
  }
  if (c.expect.status && !c.expect.status.includes(r.status))
    return `status ${r.status}, expected ${c.expect.status.join('/')}`;
  if (code !== undefined && !c.expect.codes.has(code))
    return `code ${code}, expected one of ${[...c.expect.codes].slice(0, 4).join(', ')}`;
  return undefined;
}

/**
 * Row counts of every table, read from the database itself. Tables left out are written by the
 * site on its own (the scheduler) or by design when a request is refused; each says why.
 */
export const TABLES_WRITTEN_ANYWAY: Record<string, string> = {
  kysely_migration: 'migrations only',
  kysely_migration_lock: 'migrations only',
  client_activity_snapshot: 'the scheduler snapshots client activity on its own',
  deployment_state_snapshot: 'the scheduler snapshots deployment states on its own',
};

export interface RowCounter {
  counts(): Promise<Map<string, number>>;
  /** One number from a query of the test's own (no user input in it). */
  scalar(sql: string): Promise<number>;
  close(): Promise<void>;
}

export async function rowCounter(site: Site): Promise<RowCounter> {
  if (site.dialect === 'sqlite') {
    const db = new Database(join(site.dir, 'server', 'steward.db'), { readonly: true });
    const tables = (
      db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]
    )
      .map((t) => t.name)
      .filter((t) => !(t in TABLES_WRITTEN_ANYWAY) && !t.startsWith('sqlite_'));
    const sql = tables
      .map((t) => `select '${t}' as t, count(*) as n from "${t}"`)
      .join(' union all ');
    const stmt = db.prepare(sql);
    return {
      counts: () =>
        Promise.resolve(new Map((stmt.all() as { t: string; n: number }[]).map((r) => [r.t, r.n]))),
      scalar: (q) => Promise.resolve(Number(Object.values(db.prepare(q).get() as object)[0])),
      close: () => Promise.resolve(void db.close()),
    };
  }
  const schema = new URL(site.dbUrl ?? '').searchParams.get('schema') ?? 'public';
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  const res = await client.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE'`,
    [schema],
  );
  const tables = res.rows.map((r) => r.table_name).filter((t) => !(t in TABLES_WRITTEN_ANYWAY));
  const sql = tables
    .map((t) => `select '${t}' as t, count(*)::int as n from "${schema}"."${t}"`)
    .join(' union all ');
  return {
    counts: async () =>
      new Map((await client.query<{ t: string; n: number }>(sql)).rows.map((r) => [r.t, r.n])),
    scalar: async (q) => {
      await client.query(`set search_path to "${schema}"`);
      return Number(Object.values((await client.query<object>(q)).rows[0] ?? {})[0]);
    },
    close: () => client.end(),
  };
}

export function diffCounts(before: Map<string, number>, after: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [t, n] of after) {
    const was = before.get(t) ?? 0;
    if (n !== was) out.push(`${t} ${was} -> ${n}`);
  }
  return out;
}

/** Runs `tasks` with at most `limit` in flight, results in order. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class Figures {
  operations = new Set<string>();
  requests = 0;
  byStatus: Record<string, number> = {};
  byCode: Record<string, number> = {};
  byCategory: Record<string, number> = {};
  serverErrors = 0;
  refusedGroups = 0;
  writesOnRefusal = 0;
  /** Rows refusals wrote within their allowance (status messages of refused enrolments). */
  allowedWrites = 0;
  failures: Failure[] = [];

  record(c: FuzzCase, r: Response, problem: string | undefined): void {
    this.operations.add(c.op);
    this.requests++;
    this.byStatus[r.status] = (this.byStatus[r.status] ?? 0) + 1;
    this.byCategory[c.category] = (this.byCategory[c.category] ?? 0) + 1;
    const code = r.status >= 400 ? errorCode(r) : undefined;
    if (code) this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    if (r.status >= 500) this.serverErrors++;
    if (problem)
      this.failures.push({
        op: c.op,
        category: c.category,
        input: c.input,
        status: r.status,
        code,
        problem,
      });
  }

  /** Failures grouped by what went wrong, most frequent first, with one example each. */
  groups(): { key: string; count: number; example: Failure }[] {
    const map = new Map<string, { key: string; count: number; example: Failure }>();
    for (const f of this.failures) {
      const key = `${f.category} | ${f.op} | ${f.problem.replace(/\d+ -> \d+/g, 'n -> m')}`;
      const g = map.get(key) ?? { key, count: 0, example: f };
      g.count++;
      map.set(key, g);
    }
    return [...map.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  }

  /** Prints the figures and writes them to test-results/<name>.json. */
  publish(name: string, extra: Record<string, unknown> = {}): void {
    const summary = {
      operations: this.operations.size,
      requests: this.requests,
      byStatus: this.byStatus,
      byCode: this.byCode,
      byCategory: this.byCategory,
      serverErrors: this.serverErrors,
      refusedGroups: this.refusedGroups,
      writesOnRefusal: this.writesOnRefusal,
      allowedWritesOnRefusal: this.allowedWrites,
      failureCount: this.failures.length,
      ...extra,
    };
    const dir = join(REPO, 'test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${name}.json`),
      `${JSON.stringify({ ...summary, failureGroups: this.groups(), failures: this.failures }, null, 2)}\n`,
    );
    console.log(`${name}: ${JSON.stringify(summary)}`);
  }
}

/** Sends one case, judges and records the answer. */
export async function sendCase(
  baseUrl: string,
  c: FuzzCase,
  figures: Figures,
  knownCodes: ReadonlySet<string>,
): Promise<Response> {
  let r: Response;
  try {
    r = await send(baseUrl, c);
  } catch (err) {
    r = { status: 0, headers: {}, text: String(err) };
  }
  figures.record(c, r, r.status === 0 ? noAnswer(c, r) : judge(c, r, knownCodes));
  return r;
}

/**
 * A request that got no answer has failed, except an oversized body the server refused to read:
 * when it answers 413 and closes while the body is still being sent, TCP may reset the
 * connection and the answer is lost on the client's side. Not reading the body is the defence.
 */
function noAnswer(c: FuzzCase, r: Response): string | undefined {
  if (c.category === 'body-too-large' && /EPIPE|ECONNRESET/.test(r.text)) return undefined;
  return `no response: ${r.text}`;
}

/**
 * Runs one group of cases: the refused ones with a row count before and after (any difference is
 * a write on refusal, reported against every refused case of the group), then the others.
 */
export async function runGroup(opts: {
  baseUrl: string;
  cases: FuzzCase[];
  counter: RowCounter;
  figures: Figures;
  knownCodes: ReadonlySet<string>;
  concurrency: number;
  /** Rows a refusal may write by design, per refused request (e.g. a refused enrolment's status). */
  allowance?: { table: string; perRequest: number };
}): Promise<void> {
  const { figures } = opts;
  const refused = opts.cases.filter((c) => c.expect.refuse);
  const others = opts.cases.filter((c) => !c.expect.refuse);
  const sendAll = (cases: FuzzCase[]) =>
    pool(cases, opts.concurrency, (c) => sendCase(opts.baseUrl, c, figures, opts.knownCodes));
  if (refused.length) {
    const before = await opts.counter.counts();
    await sendAll(refused);
    const after = await opts.counter.counts();
    const allowed = opts.allowance;
    if (allowed) {
      const grew = (after.get(allowed.table) ?? 0) - (before.get(allowed.table) ?? 0);
      figures.allowedWrites += grew;
      if (grew <= refused.length * allowed.perRequest)
        after.set(allowed.table, before.get(allowed.table) ?? 0);
    }
    const written = diffCounts(before, after);
    figures.refusedGroups++;
    if (written.length) {
      figures.writesOnRefusal++;
      const first = refused[0] as FuzzCase;
      figures.failures.push({
        op: first.op,
        category: first.category,
        input: `group of ${refused.length} refused requests, e.g. ${first.input}`,
        status: 0,
        code: undefined,
        problem: `rows written on refusal: ${written.join(', ')}`,
      });
    }
  }
  if (others.length) await sendAll(others);
}
