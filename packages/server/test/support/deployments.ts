import { createHash, createPublicKey, randomUUID, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { Value } from '@sinclair/typebox/value';
import {
  agentOps,
  ApiClient,
  ApiError,
  AssignmentsDocument,
  DEVICE_AUTH_HEADER,
  SignedAssignments,
} from '@steward/protocol';
import { decodeEnrolmentToken } from '@steward/protocol/node';
import type { Dialect } from '../../src/db/database.js';
import type { Database } from '../../src/db/tables/index.js';
import { freshDatabaseUrl } from './db.js';
import { startServer, type RunningServer } from '../../src/server.js';

/**
 * Builders for deployment tests: an in-process site server on a real database with a clock the
 * test moves, packages with a content version written as the content library writes them, and
 * devices enrolled through the real agent endpoint.
 */
export interface TestServer {
  server: RunningServer;
  api: ApiClient;
  db: Kysely<Database>;
  /** Moves the server's clock (milliseconds from real time). */
  clock: { offsetMs: number };
  stop(): Promise<void>;
}

export async function startTestServer(dialect: Dialect): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-deploy-'));
  const { url, cleanup } = freshDatabaseUrl(dialect);
  const clock = { offsetMs: 0 };
  const password = 'deployments test password';
  const server = await startServer({
    dataDir: join(dir, 'server'),
    db: url,
    adminListen: '127.0.0.1:0',
    agentListen: '127.0.0.1:0',
    adminPassword: password,
    logLevel: 'warn',
    clock: { now: () => new Date(Date.now() + clock.offsetMs) },
  });
  const api = new ApiClient({ baseUrl: server.adminUrl });
  api.setToken((await api.login('admin', password)).token);
  const ctx = server.ctx;
  if (!ctx) throw new Error('site server without a database');
  return {
    server,
    api,
    db: ctx.db.kysely,
    clock,
    async stop() {
      await server.close();
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A package with one content version holding `files` (what H1's library writes). */
export async function insertPackage(
  db: Kysely<Database>,
  name: string,
  files: Record<string, string> | null = { 'install.sh': 'echo ok\n' },
): Promise<string> {
  const id = randomUUID();
  const at = new Date().toISOString();
  await db
    .insertInto('software_package')
    .values({
      id,
      name,
      publisher: '',
      version: '',
      description: '',
      priority: 'medium',
      current_version_id: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  if (files === null) return id;
  const versionId = randomUUID();
  const entries = Object.entries(files).map(([path, text]) => ({
    path,
    sha256: createHash('sha256').update(text).digest('hex'),
    size: Buffer.byteLength(text),
  }));
  await db
    .insertInto('package_version')
    .values({
      id: versionId,
      package_id: id,
      number: 1,
      created_at: at,
      created_by: 'test',
      file_count: entries.length,
      size_bytes: entries.reduce((a, e) => a + e.size, 0),
      source: 'test',
    })
    .execute();
  for (const e of entries) {
    await db
      .insertInto('content_file')
      .values({ sha256: e.sha256, size: e.size, created_at: at })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    await db
      .insertInto('package_version_file')
      .values({ version_id: versionId, path: e.path, sha256: e.sha256, size: e.size, mode: 0o755 })
      .execute();
  }
  await db
    .updateTable('software_package')
    .set({ current_version_id: versionId })
    .where('id', '=', id)
    .execute();
  return id;
}

export interface TestDevice {
  deviceId: string;
  auth: string;
  policySigningKey: string;
}

/** Calls the agent endpoint as a device (TLS trust is not what these tests are about). */
export function agentCall(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; auth?: string } = {},
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method,
        rejectUnauthorized: false,
        headers: {
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(opts.auth ? { [DEVICE_AUTH_HEADER]: opts.auth } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: text ? (JSON.parse(text) as unknown) : null,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

/**
 * A device's signed assignments through the real agent endpoint, verified with the site's
 * policy key as the agent verifies them, and parsed; anything else throws.
 */
export async function signedAssignments(
  url: string,
  device: TestDevice,
): Promise<AssignmentsDocument> {
  const r = await agentCall(url, 'GET', agentOps.device.assignments.path, { auth: device.auth });
  if (r.status !== 200) throw new Error(`assignments: HTTP ${String(r.status)}`);
  if (!Value.Check(SignedAssignments, r.json)) throw new Error('not a signed document');
  const signed = verify(
    null,
    Buffer.from(r.json.payload, 'utf8'),
    createPublicKey(device.policySigningKey),
    Buffer.from(r.json.signature, 'base64'),
  );
  if (!signed) throw new Error('the assignments signature does not verify');
  const doc: unknown = JSON.parse(r.json.payload);
  if (!Value.Check(AssignmentsDocument, doc)) throw new Error('not an assignments document');
  return doc;
}

/** Enrols a device through the real enrolment endpoint. */
export async function enrolDevice(t: TestServer, hostname: string): Promise<TestDevice> {
  const token = await t.api.createToken({ maxUses: 1 });
  const decoded = decodeEnrolmentToken(token.token ?? '');
  if (!decoded.ok) throw new Error(decoded.error);
  const r = await agentCall(t.server.agentUrl, 'POST', agentOps.device.enroll.path, {
    body: { secret: decoded.value.secret, hostname, osFamily: 'debian', agentVersion: 'test' },
  });
  if (r.status !== 200) throw new Error(`enrol failed: ${JSON.stringify(r.json)}`);
  const { deviceId, deviceKey, policySigningKey } = r.json as {
    deviceId: string;
    deviceKey: string;
    policySigningKey: string;
  };
  return { deviceId, auth: `${deviceId}.${deviceKey}`, policySigningKey };
}

/** The refusal of a request the test expects to fail: status, code and details. */
export async function refusal(
  p: Promise<unknown>,
): Promise<{ status: number; code: string; details: unknown }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError)
      return { status: err.status, code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected the request to be refused');
}

/** Row counts of the tables a refused request must not touch. */
export async function writtenRows(db: Kysely<Database>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    'program',
    'deployment',
    'deployment_rerun',
    'maintenance_window',
    'audit_log',
  ] as const) {
    const r = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    out[table] = Number(r?.n ?? 0);
  }
  return out;
}
