import type { Kysely } from 'kysely';
import { API_PREFIX, type DeploymentStateName } from '@steward/protocol';
import type { Database } from '../../src/db/schema.js';
import type { SiteContext } from '../../src/context.js';
import { createAdminApp } from '../../src/http/admin-app.js';
import { installAdminAuth } from '../../src/http/auth.js';
import type { App } from '../../src/http/types.js';
import { UserService } from '../../src/users/service.js';

/**
 * Builders for phased-deployment, report and timeline tests: a package with (or without) content
 * and a program, collections with fixed members, and per-device deployment states written the way
 * ingestion stores them (newest state per deployment and device).
 */
const AT = '2026-01-01T00:00:00.000Z';

export async function seedDevices(db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  for (const id of ids)
    await db
      .insertInto('device')
      .values({
        id,
        name: `host-${id}`,
        key_hash: 'x',
        enrolled_at: AT,
        ip_addresses: '',
        package_count: 0,
        inventory_resync: 0,
      })
      .execute();
}

/** A collection (no rules; the members are written directly, as an evaluation would). */
export async function seedCollection(
  db: Kysely<Database>,
  name: string,
  memberIds: readonly string[],
): Promise<string> {
  const id = `c-${name}`;
  await db
    .insertInto('collection')
    .values({
      id,
      name,
      description: '',
      builtin: 0,
      limiting_collection_id: null,
      rules: JSON.stringify([]),
      evaluation_interval_minutes: 60,
      member_count: memberIds.length,
      last_evaluated_at: AT,
      revision: 1,
      created_at: AT,
      updated_at: AT,
    })
    .execute();
  for (const deviceId of memberIds)
    await db
      .insertInto('collection_member')
      .values({ collection_id: id, device_id: deviceId, since: AT })
      .execute();
  return id;
}

/** A package (with one version unless `withContent` is false) and a program of it. */
export async function seedProgram(
  db: Kysely<Database>,
  name: string,
  opts: { withContent?: boolean } = {},
): Promise<string> {
  const packageId = `pkg-${name}`;
  const versionId = `pv-${name}`;
  const withContent = opts.withContent ?? true;
  await db
    .insertInto('software_package')
    .values({
      id: packageId,
      name,
      publisher: 'Example',
      version: '1.0',
      description: '',
      priority: 'medium',
      current_version_id: null,
      created_at: AT,
      updated_at: AT,
    })
    .execute();
  if (withContent) {
    await db
      .insertInto('package_version')
      .values({
        id: versionId,
        package_id: packageId,
        number: 1,
        created_at: AT,
        created_by: 'admin',
        file_count: 0,
        size_bytes: 0,
        source: 'test',
      })
      .execute();
    await db
      .updateTable('software_package')
      .set({ current_version_id: versionId })
      .where('id', '=', packageId)
      .execute();
  }
  const programId = `prog-${name}`;
  await db
    .insertInto('program')
    .values({
      id: programId,
      package_id: packageId,
      name: 'install',
      command_line: './install.sh',
      working_directory: '.',
      run_as: 'root',
      max_run_minutes: 120,
      success_exit_codes: JSON.stringify([0]),
      reboot_exit_codes: JSON.stringify([]),
      requirements: JSON.stringify({}),
      depends_on_program_id: null,
      description: '',
      disabled: 0,
      created_at: AT,
      updated_at: AT,
    })
    .execute();
  return programId;
}

let seq = 0;

/** The newest state of one device for one deployment, as ingestion keeps it. */
export async function setDeviceState(
  db: Kysely<Database>,
  deploymentId: string,
  deviceId: string,
  state: DeploymentStateName,
  extra: {
    exitCode?: number | null;
    reasonCode?: string | null;
    reason?: string | null;
    outputTail?: string | null;
    lastRunAt?: string | null;
    at?: string;
  } = {},
): Promise<void> {
  seq += 1;
  const values = {
    state,
    revision: 1,
    run_id: null,
    reason_code: extra.reasonCode ?? null,
    reason: extra.reason ?? null,
    exit_code: extra.exitCode ?? null,
    output_tail: extra.outputTail ?? null,
    bytes_done: null,
    bytes_total: null,
    last_run_at: extra.lastRunAt ?? null,
    next_run_at: null,
    run_count: extra.lastRunAt ? 1 : 0,
    state_at: extra.at ?? new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    device_seq: seq,
  };
  await db
    .insertInto('deployment_device_state')
    .values({ deployment_id: deploymentId, device_id: deviceId, ...values })
    .onConflict((oc) => oc.columns(['deployment_id', 'device_id']).doUpdateSet(values))
    .execute();
}

/** A required deployment row as the deployment service stores it (asap, enabled). */
export async function seedDeployment(
  db: Kysely<Database>,
  f: { id: string; name?: string; programId: string; collectionId: string; createdAt?: string },
): Promise<string> {
  const at = f.createdAt ?? AT;
  await db
    .insertInto('deployment')
    .values({
      id: f.id,
      name: f.name ?? f.id,
      program_id: f.programId,
      collection_id: f.collectionId,
      purpose: 'required',
      triggers: JSON.stringify([{ type: 'asap' }]),
      available_at: null,
      expires_at: null,
      time_base: 'utc',
      rerun: 'if-failed',
      pre_download: 0,
      content_mode: 'download',
      run_over_slow_boundary: 1,
      allow_fallback: 1,
      override_maintenance_windows: 0,
      max_postpone_minutes: 0,
      enabled: 1,
      revision: 1,
      extra_assignments: JSON.stringify([]),
      phased_deployment_id: null,
      created_by: 'admin',
      created_at: at,
      updated_at: at,
    })
    .execute();
  return f.id;
}

export interface TestApi {
  call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** The admin app with a signed-in full administrator and the given routes, driven by inject. */
export async function startTestApi(
  ctx: SiteContext,
  register: (app: App) => void,
): Promise<TestApi> {
  const password = 'correct horse battery';
  const users = new UserService(ctx);
  await users.ensureInitialAdmin(password);
  const token = (await users.login('admin', password, '127.0.0.1')).token;
  const app = await createAdminApp(ctx.log, 'test');
  installAdminAuth(app, users);
  register(app);
  await app.ready();
  return {
    async call(method, path, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await app.inject({
        method,
        url: `${API_PREFIX}${path}`,
        headers,
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return {
        status: res.statusCode,
        body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown),
      };
    },
    close: () => app.close(),
  };
}
