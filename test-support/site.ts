/**
 * Real-process test harness: a site server started through the real CLI (`steward server`),
 * real agent processes (`steward-agent enroll` + `run`) and a real database (a temp SQLite file
 * or a fresh PostgreSQL schema). Integration and end-to-end tests build on it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ApiClient, type ClientSettings, type DeviceSummary } from '@steward/protocol';
import { MIGRATIONS_LOCK_ID } from '@steward/server';
import { seedPostgresSite, seedSqliteSite } from './db-template.js';

export const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const STEWARD = join(REPO, 'packages/cli/bin/steward.js');
export const STEWARD_AGENT = join(REPO, 'packages/agent/bin/steward-agent.js');
export const POSTGRES_URL =
  process.env.STEWARD_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export type TestDialect = 'sqlite' | 'postgres';

/** Polls `probe` until it returns a truthy value: waiting for an observable event, never a fixed sleep. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Every entry under `root` with its permission bits (sockets and links left out). */
export function modesUnder(root: string): Map<string, number> {
  const found = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isDirectory()) {
        found.set(`${path}/`, st.mode & 0o777);
        walk(path);
      } else if (st.isFile()) found.set(path, st.mode & 0o777);
    }
  };
  walk(root);
  return found;
}

/** Entries of `modesUnder` that are not private (folders 0700, files 0600). */
export function wrongModes(modes: Map<string, number>): string[] {
  return [...modes]
    .filter(([path, mode]) => mode !== (path.endsWith('/') ? 0o700 : 0o600))
    .map(([path, mode]) => `${path} ${mode.toString(8)}`);
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Proc {
  const child = spawn(process.execPath, [cmd, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  else child.stdin?.end();
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

/** Runs a command to completion: {code, stdout, stderr}. */
export function exec(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveP) => {
    const child = spawn(process.execPath, [cmd, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.input ?? '');
    child.on('exit', (code) => resolveP({ code, stdout, stderr }));
  });
}

async function stop(p: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(timer);
}

export interface ServerHandle {
  proc: Proc;
  adminUrl: string;
  agentUrl: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServerProcessOptions {
  dataDir: string;
  dbUrl?: string;
  password: string;
  roles?: string;
  env?: NodeJS.ProcessEnv;
  adminListen?: string;
  agentListen?: string;
  /** `--content-import-root`: folders a server-side folder import may read (none by default). */
  contentImportRoots?: string[];
  /** `--public-url`: the agent URL the site hands out (a VM reaches the site through a forward). */
  publicUrl?: string;
}

/** Runs `steward server` (after removing a stale server.json); returns the process. */
function spawnServer(opts: ServerProcessOptions): { proc: Proc; stateFile: string } {
  const stateFile = join(opts.dataDir, 'server.json');
  rmSync(stateFile, { force: true });
  const args = [
    'server',
    '--data',
    opts.dataDir,
    '--admin-listen',
    opts.adminListen ?? '127.0.0.1:0',
    '--agent-listen',
    opts.agentListen ?? '127.0.0.1:0',
  ];
  if (opts.dbUrl) args.push('--db', opts.dbUrl);
  if (opts.roles) args.push('--roles', opts.roles);
  for (const root of opts.contentImportRoots ?? []) args.push('--content-import-root', root);
  if (opts.publicUrl) args.push('--public-url', opts.publicUrl);
  const proc = run(STEWARD, args, { env: { STEWARD_ADMIN_PASSWORD: opts.password, ...opts.env } });
  return { proc, stateFile };
}

/**
 * Starts `steward server` where it must refuse to start: resolves with its exit code and output
 * once it exits. A server that starts instead is stopped, and reported with code `'started'`.
 */
export async function refusedServerStart(
  opts: ServerProcessOptions,
): Promise<{ code: number | null | 'started'; output: string }> {
  const { proc, stateFile } = spawnServer(opts);
  await waitFor(
    'the server to exit',
    () => proc.child.exitCode !== null || existsSync(stateFile),
    90_000,
  );
  if (proc.child.exitCode !== null) return { code: proc.child.exitCode, output: proc.output() };
  await stop(proc);
  return { code: 'started', output: proc.output() };
}

/** Starts `steward server` on free ports and waits for its server.json. */
export async function startServerProcess(opts: ServerProcessOptions): Promise<ServerHandle> {
  const { proc, stateFile } = spawnServer(opts);
  const info = await waitFor(
    'server.json',
    () => {
      if (proc.child.exitCode !== null) throw new Error(`server exited: ${proc.output()}`);
      if (!existsSync(stateFile)) return undefined;
      const parsed: unknown = JSON.parse(readFileSync(stateFile, 'utf8'));
      return parsed as { adminUrl: string; agentUrl: string };
    },
    90_000,
  );
  return {
    proc,
    adminUrl: info.adminUrl,
    agentUrl: info.agentUrl,
    stop: (signal) => stop(proc, signal),
  };
}

export interface AgentHandle {
  stateDir: string;
  deviceId: string;
  proc: Proc | undefined;
  /** Starts `steward-agent run`; `env` adds to the environment the agent was enrolled with. */
  start(env?: NodeJS.ProcessEnv): void;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Fast client settings for tests: agents poll and report every few seconds instead of hours. */
export const FAST_SETTINGS: Partial<ClientSettings> = {
  policyIntervalSeconds: 30,
  heartbeatIntervalSeconds: 10,
  inventoryIntervalSeconds: 60,
  softwareScanIntervalSeconds: 3600,
  softwareScanPaths: ['/usr/local/bin'],
};

/** `env` is added to the agent service's environment (e.g. STEWARD_TEST_CLOCK_FILE, PATH). */
export async function enrolAgent(
  token: string,
  stateDir: string,
  env?: NodeJS.ProcessEnv,
): Promise<AgentHandle> {
  const r = await exec(STEWARD_AGENT, [
    'enroll',
    '--token',
    token,
    '--state-dir',
    stateDir,
    '--json',
  ]);
  if (r.code !== 0) throw new Error(`enrol failed (${String(r.code)}): ${r.stderr}${r.stdout}`);
  const device: unknown = JSON.parse(readFileSync(join(stateDir, 'device.json'), 'utf8'));
  const deviceId =
    typeof device === 'object' &&
    device !== null &&
    'deviceId' in device &&
    typeof device.deviceId === 'string'
      ? device.deviceId
      : '';
  const handle: AgentHandle = {
    stateDir,
    deviceId,
    proc: undefined,
    start(extra) {
      handle.proc = run(STEWARD_AGENT, ['run', '--state-dir', stateDir], {
        env: { ...env, ...extra },
      });
    },
    async stop(signal) {
      await stop(handle.proc, signal);
    },
  };
  return handle;
}

export interface SiteTimings {
  /** Whether the database started as a copy of the run's migrated template (db-template.ts). */
  fromTemplate: boolean;
  seed: number;
  serverStart: number;
  signIn: number;
  enrol: number;
  firstInventory: number;
  total: number;
}

export interface Site {
  dir: string;
  dialect: TestDialect;
  dbUrl: string | undefined;
  adminUrl: string;
  agentUrl: string;
  adminUser: string;
  adminPassword: string;
  api: ApiClient;
  server: ServerHandle;
  agents: AgentHandle[];
  devices: DeviceSummary[];
  /**
   * Where building the site spent its time (ms): server start to server.json, sign-in and fast
   * settings, each agent's enrolment, agents' start to their first inventory.
   */
  timings: SiteTimings;
  /** Restarts the server process on the same data (and database). */
  /** Stops the server, runs `whileDown` (agents keep working), starts it again on the same ports. */
  restartServer(whileDown?: () => Promise<void>, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Drops a test's PostgreSQL schema under the migrations' advisory lock (`MIGRATIONS_LOCK_ID`, the
 * one `migrateToLatest` takes): Kysely's migrator introspects
 * every schema and fails if one disappears mid-query in a test running beside this one.
 */
export async function dropTestSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    await c.query('select pg_advisory_lock($1)', [MIGRATIONS_LOCK_ID]);
    await c.query(`drop schema if exists "${schema}" cascade`);
    await c.query('select pg_advisory_unlock($1)', [MIGRATIONS_LOCK_ID]);
  } finally {
    await c.end();
  }
}

export async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * A whole site, the builder of every real-process test: a server process, signed in as its
 * administrator unless `withAdmin: false` (`api` then carries no session), and
 * `withEnrolledDevices` enrolled agent processes (1 by default) that have sent their first
 * inventory: `createTestSite({ withAdmin: true, withEnrolledDevices: 3 })`.
 */
export async function createTestSite(
  opts: {
    dialect?: TestDialect;
    withAdmin?: boolean;
    withEnrolledDevices?: number;
    /** Added to the server's and the agents' environment (e.g. STEWARD_TEST_CLOCK_FILE). */
    env?: NodeJS.ProcessEnv;
    /** Folders the server may import content from (`steward package import --server-path`). */
    contentImportRoots?: string[];
    /** The agent URL the site hands out in tokens and policy (`steward server --public-url`). */
    publicUrl?: string;
    /** `--agent-listen` (default 127.0.0.1:0), for a forward that must know the port. */
    agentListen?: string;
  } = {},
): Promise<Site> {
  const dialect = opts.dialect ?? 'sqlite';
  const dir = mkdtempSync(join(tmpdir(), 'steward-site-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dbUrl = dialect === 'postgres' ? `${POSTGRES_URL}?schema=${schema}` : undefined;
  const adminPassword = randomBytes(12).toString('base64url');
  const serverOpts = {
    dataDir: join(dir, 'server'),
    password: adminPassword,
    ...(dbUrl ? { dbUrl } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.contentImportRoots ? { contentImportRoots: opts.contentImportRoots } : {}),
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    ...(opts.agentListen ? { agentListen: opts.agentListen } : {}),
  };
  const began = performance.now();
  let mark = began;
  const lap = (): number => {
    const now = performance.now();
    const ms = Math.round(now - mark);
    mark = now;
    return ms;
  };
  // A copy of the run's migrated template (db-template.ts) when there is one.
  const seeded =
    dialect === 'postgres'
      ? await seedPostgresSite(POSTGRES_URL, schema)
      : seedSqliteSite(serverOpts.dataDir);
  const timings: SiteTimings = {
    fromTemplate: seeded,
    seed: lap(),
    serverStart: 0,
    signIn: 0,
    enrol: 0,
    firstInventory: 0,
    total: 0,
  };
  let server = await startServerProcess(serverOpts);
  timings.serverStart = lap();
  const api = new ApiClient({ baseUrl: server.adminUrl });
  api.setToken((await api.login('admin', adminPassword)).token);
  await api.updateClientSettings(FAST_SETTINGS);
  timings.signIn = lap();
  const agents: AgentHandle[] = [];
  const n = opts.withEnrolledDevices ?? 1;
  if (n > 0) {
    const token = await api.createToken({ description: 'test', maxUses: n });
    for (let i = 0; i < n; i++) {
      const a = await enrolAgent(token.token ?? '', join(dir, `agent-${i}`), opts.env);
      timings.enrol += lap();
      a.start();
      agents.push(a);
    }
  }
  const devices = await waitFor(
    `${n} devices with inventory`,
    async () => {
      const list = await api.listDevices({ limit: 1000 });
      const ready = list.items.filter((d) => d.lastInventoryAt !== null);
      return ready.length >= n ? ready : undefined;
    },
    120_000,
    250,
  );
  timings.firstInventory = lap();
  timings.total = Math.round(performance.now() - began);
  // Setting up needs the administrator; `withAdmin: false` hands the test a client with no session.
  const siteApi = opts.withAdmin === false ? new ApiClient({ baseUrl: server.adminUrl }) : api;
  const site: Site = {
    dir,
    dialect,
    dbUrl,
    get adminUrl() {
      return server.adminUrl;
    },
    get agentUrl() {
      return server.agentUrl;
    },
    adminUser: 'admin',
    adminPassword,
    api: siteApi,
    get server() {
      return server;
    },
    agents,
    devices,
    timings,
    async restartServer(whileDown, signal) {
      // Same ports: agents keep the URL they enrolled with.
      const adminListen = new URL(server.adminUrl).host;
      const agentListen = new URL(server.agentUrl).host;
      await server.stop(signal);
      if (whileDown) await whileDown();
      server = await startServerProcess({ ...serverOpts, adminListen, agentListen });
    },
    async stop() {
      for (const a of agents) await a.stop();
      await server.stop();
      if (dbUrl) {
        await dropTestSchema(schema);
      }
      // STEWARD_KEEP_SITE=1 keeps logs and databases of a failing run for inspection.
      if (process.env.STEWARD_KEEP_SITE) console.warn(`site kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  return site;
}

/** `steward-agent center ... --json` (as user alice) against a running agent: its parsed answer. */
export function agentCenter(stateDir: string, args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [STEWARD_AGENT, 'center', ...args, '--state-dir', stateDir, '--json', '--user', 'alice'],
      (err, stdout) => {
        try {
          const value: unknown = JSON.parse(stdout);
          if (typeof value === 'object' && value !== null)
            resolve(Object.fromEntries(Object.entries(value)));
          else reject(new Error(`center answered ${stdout}`));
        } catch {
          reject(err ?? new Error(`center answered ${stdout}`));
        }
      },
    );
  });
}

/**
 * A collection holding one device by a direct rule, once its membership shows the device (the
 * site evaluates new collections in the background). Returns its id.
 */
export async function directCollection(
  site: Site,
  name: string,
  deviceId: string,
): Promise<string> {
  const c = await site.api.createCollection({ name, rules: [{ kind: 'direct', deviceId }] });
  await waitFor(`collection ${name} to hold the device`, async () =>
    (await site.api.getCollection(c.id)).memberCount === 1 ? true : undefined,
  );
  return c.id;
}
