import { Readable } from 'node:stream';
import { sleep as realSleep, type CliIo, type OutStream } from '../../src/io.js';
import { runCli } from '../../src/program.js';
import type { StartServer } from '../../src/up/site-server.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
}

export type Handler = (req: RecordedRequest, params: string[]) => FakeResponse | unknown;

export interface Route {
  method: string;
  /** Path after /api/v1; `:x` segments match anything and are passed as params. */
  path: string;
  handler: Handler;
}

export function route(method: string, path: string, handler: Handler): Route {
  return { method, path, handler };
}

/** A reply with a status (anything else a handler returns is a 200 JSON body). */
export function reply(status: number, body?: unknown): FakeResponse & { __reply: true } {
  return { status, body, __reply: true };
}

export function apiError(
  status: number,
  code: string,
  message: string,
  details?: unknown,
): FakeResponse & { __reply: true } {
  return reply(status, { code, message, ...(details !== undefined ? { details } : {}) });
}

function isReply(v: unknown): v is FakeResponse & { __reply: true } {
  return typeof v === 'object' && v !== null && '__reply' in v;
}

function match(pattern: string, path: string): string[] | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: string[] = [];
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] ?? '';
    const val = decodeURIComponent(s[i] ?? '');
    if (seg.startsWith(':')) params.push(val);
    else if (seg !== val) return undefined;
  }
  return params;
}

/** A fetch that answers from routes and records every request. */
export function fakeFetch(routes: readonly Route[], requests: RecordedRequest[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
    );
    const path = url.pathname.replace(/^\/api\/v1/, '');
    const headers = new Headers(init?.headers);
    const bodyText = typeof init?.body === 'string' ? init.body : undefined;
    const req: RecordedRequest = {
      method: init?.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams.entries()),
      body: bodyText === undefined ? undefined : JSON.parse(bodyText),
      authorization: headers.get('authorization') ?? undefined,
    };
    requests.push(req);
    for (const r of routes) {
      if (r.method !== req.method) continue;
      const params = match(r.path, path);
      if (params === undefined) continue;
      const out = await r.handler(req, params);
      const status = isReply(out) ? (out.status ?? 200) : 200;
      const body = isReply(out) ? out.body : out;
      if (status === 204 || body === undefined)
        return new Response(null, { status: status === 200 ? 204 : status });
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    }
    return new Response(
      JSON.stringify({ code: 'ROUTE_NOT_FOUND', message: `${req.method} ${path}` }),
      { status: 404 },
    );
  };
}

export class Buffer implements OutStream {
  text = '';
  private waiters: { needle: string; resolve: () => void }[] = [];
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    this.waiters = this.waiters.filter((w) => {
      if (!this.text.includes(w.needle)) return true;
      w.resolve();
      return false;
    });
    return true;
  }
  /** Resolves once the output contains `needle`. */
  waitFor(needle: string): Promise<void> {
    if (this.text.includes(needle)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ needle, resolve }));
  }
}

export interface HarnessOptions {
  routes?: Route[];
  env?: Record<string, string | undefined>;
  stdin?: string;
  now?: Date;
  cwd?: string;
  loadServer?: () => Promise<StartServer>;
  /** Real-time sleeps (for tests that wait on real child processes). */
  realSleep?: boolean;
}

export interface Harness {
  io: CliIo;
  stdout: Buffer;
  stderr: Buffer;
  requests: RecordedRequest[];
  /** Delivers SIGINT to whatever registered for it. */
  interrupt(): void;
  /** Number of io.sleep calls so far (sleeps resolve at once, advancing the fake clock). */
  sleeps: number;
  exitCodes: number[];
}

/** An in-process CLI: buffers for stdout/stderr, a fake fetch, a fake clock whose sleeps return at once. */
export function createHarness(opts: HarnessOptions = {}): Harness {
  const requests: RecordedRequest[] = [];
  const stdout = new Buffer();
  const stderr = new Buffer();
  let now = (opts.now ?? new Date('2025-06-01T12:00:00Z')).getTime();
  const handlers = new Set<(signal: string) => void>();
  const h: Harness = {
    stdout,
    stderr,
    requests,
    sleeps: 0,
    exitCodes: [],
    interrupt() {
      for (const fn of [...handlers]) fn('SIGINT');
    },
    io: {
      stdout,
      stderr,
      stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
      env: { STEWARD_CONFIG_DIR: '/nonexistent/steward-test', ...opts.env },
      cwd: opts.cwd ?? process.cwd(),
      fetch: fakeFetch(opts.routes ?? [], requests),
      now: () => new Date(now),
      async sleep(ms, signal) {
        h.sleeps += 1;
        now += ms;
        if (opts.realSleep === true) await realSleep(ms, signal);
        else await new Promise((r) => setImmediate(r));
      },
      exit(code) {
        h.exitCodes.push(code);
      },
      onInterrupt(handler) {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
      loadServer: opts.loadServer,
    },
  };
  return h;
}

/** Runs the CLI in-process and returns what it printed. */
export async function run(
  h: Harness,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const code = await runCli(argv, h.io);
  return { code, stdout: h.stdout.text, stderr: h.stderr.text };
}
