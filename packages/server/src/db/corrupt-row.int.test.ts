import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SiteContext } from '../context.js';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import { ensureBuiltinCollections } from '../collections/builtin.js';
import { findCollection, listRevisions, toCollection } from '../collections/repository.js';
import { ADMIN } from '../../test/support/collections.js';
import { insertProgramAndDeployment } from '../../test/support/content.js';
import { insertPackage } from '../../test/support/deployments.js';
import { findDeploymentRow, toDeployment } from '../deployments/deployment-repository.js';
import { findProgramRow, toProgram } from '../deployments/program-repository.js';
import { windowBodyOf } from '../deployments/repository/maintenance-windows.js';
import { listStatusMessages } from '../status/service.js';
import { UserService } from '../users/service.js';
import { CorruptRowError } from './corrupt-row.js';

// A row that does not match its table description is an error naming the table, the row and
// the column, never a silently different object (ADR 0011): each case corrupts one stored value
// behind the application's back, as a hand edit or a bad restore would, and reads it.

async function corruptionOf(read: () => Promise<unknown>): Promise<CorruptRowError> {
  try {
    await read();
  } catch (err) {
    if (err instanceof CorruptRowError) return err;
    throw err;
  }
  throw new Error('the corrupt row was read without an error');
}

describe.each(testDialects)('corrupt rows raise CorruptRowError (%s)', (dialect) => {
  let ctx: SiteContext | undefined;
  let cleanup = () => Promise.resolve();

  beforeEach(async () => {
    if (dialect === 'postgres' && !(await postgresReachable())) {
      console.warn('PostgreSQL unreachable: corrupt-row cases not run on PostgreSQL');
      return;
    }
    const made = await createTestContext(dialect);
    ctx = made.ctx;
    cleanup = made.cleanup;
    await ensureBuiltinCollections(ctx);
    const packageId = await insertPackage(ctx.db.kysely, 'pkg');
    await insertProgramAndDeployment(ctx.db.kysely, {
      packageId,
      collectionId: 'all-systems',
      at: new Date().toISOString(),
    });
  });
  afterEach(() => cleanup());

  /** Sets one stored value with plain SQL (no row types in the way). */
  async function store(table: string, column: string, value: string, id: string) {
    if (!ctx) return;
    const cast = ctx.db.dialect === 'postgres' && value.startsWith('{') ? sql`::jsonb` : sql``;
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${value}${cast} where id = ${id}`.execute(
      ctx.db.kysely,
    );
  }

  const readDeployment = async () => {
    if (!ctx) return undefined;
    const row = await findDeploymentRow(ctx.db.kysely, 'dep-1');
    return row && toDeployment(row);
  };

  it('an unknown deployment purpose is not read as "available"', async () => {
    if (!ctx) return;
    await store('deployment', 'purpose', 'mandatory', 'dep-1');
    const err = await corruptionOf(readDeployment);
    expect(err).toMatchObject({ table: 'deployment', id: 'dep-1', column: 'purpose' });
    expect(err.message).toContain('"mandatory" is not one of available, required');
  });

  it('deployment triggers that are not a trigger list are not read as none', async () => {
    if (!ctx) return;
    await store('deployment', 'triggers', '{"type":"sometime"}', 'dep-1');
    const err = await corruptionOf(readDeployment);
    expect(err).toMatchObject({ table: 'deployment', id: 'dep-1', column: 'triggers' });
  });

  it('text that is not JSON is not read as an empty list', async () => {
    if (!ctx || dialect !== 'sqlite') return; // jsonb cannot hold it on PostgreSQL
    await store('deployment', 'extra_assignments', '[not json', 'dep-1');
    const err = await corruptionOf(readDeployment);
    expect(err).toMatchObject({ table: 'deployment', id: 'dep-1', column: 'extra_assignments' });
    expect(err.message).toContain('not valid JSON');
  });

  it('a program that runs as someone unknown is not read as root', async () => {
    if (!ctx) return;
    const db = ctx.db.kysely;
    await store('program', 'run_as', 'nobody', 'prog-1');
    const err = await corruptionOf(async () => {
      const row = await findProgramRow(db, 'prog-1');
      return row && toProgram(row);
    });
    expect(err).toMatchObject({ table: 'program', id: 'prog-1', column: 'run_as' });
  });

  it('program requirements of the wrong shape are not read as "none"', async () => {
    if (!ctx) return;
    const db = ctx.db.kysely;
    await store('program', 'requirements', '{"osFamilies":"debian"}', 'prog-1');
    const err = await corruptionOf(async () => {
      const row = await findProgramRow(db, 'prog-1');
      return row && toProgram(row);
    });
    expect(err).toMatchObject({ table: 'program', column: 'requirements' });
  });

  it('collection rules that do not parse do not empty the collection', async () => {
    if (!ctx) return;
    const db = ctx.db.kysely;
    await store('collection', 'rules', '{"kind":"everything"}', 'all-systems');
    const err = await corruptionOf(async () => {
      const row = await findCollection(db, 'all-systems');
      return row && toCollection(row);
    });
    expect(err).toMatchObject({ table: 'collection', id: 'all-systems', column: 'rules' });
  });

  it('a collection revision that does not parse is an error, not a gap in the history', async () => {
    if (!ctx) return;
    const db = ctx.db.kysely;
    await sql`update collection_revision set definition = ${'{"rules":7}'}${ctx.db.dialect === 'postgres' ? sql`::jsonb` : sql``} where collection_id = 'all-systems'`.execute(
      db,
    );
    const err = await corruptionOf(() => listRevisions(db, 'all-systems'));
    expect(err).toMatchObject({ table: 'collection_revision', column: 'definition' });
  });

  it('a maintenance window with a bad recurrence is not dropped from policy', async () => {
    if (!ctx) return;
    const db = ctx.db.kysely;
    await db
      .insertInto('maintenance_window')
      .values({
        id: 'mw-1',
        collection_id: 'all-systems',
        name: 'nights',
        start: '2026-01-01T22:00',
        duration_minutes: 120,
        recurrence: JSON.stringify({ kind: 'daily', everyDays: 1 }),
        time_base: 'utc',
        applies_to: 'all',
        enabled: 1,
        created_at: new Date().toISOString(),
      })
      .execute();
    await store('maintenance_window', 'recurrence', '{"kind":"hourly"}', 'mw-1');
    const row = await db
      .selectFrom('maintenance_window')
      .selectAll()
      .where('id', '=', 'mw-1')
      .executeTakeFirstOrThrow();
    const err = await corruptionOf(() => Promise.resolve(windowBodyOf(row)));
    expect(err).toMatchObject({ table: 'maintenance_window', id: 'mw-1', column: 'recurrence' });
  });

  it('a user with an unknown role is an error, not an analyst', async () => {
    if (!ctx) return;
    const at = new Date().toISOString();
    await ctx.db.kysely
      .insertInto('admin_user')
      .values({
        id: 'u-1',
        name: 'eve',
        password_hash: 'x',
        role: 'read-only-analyst',
        created_at: at,
      })
      .execute();
    await store('admin_user', 'role', 'root', 'u-1');
    const users = new UserService(ctx);
    const err = await corruptionOf(() => users.list(ADMIN));
    expect(err).toMatchObject({ table: 'admin_user', id: 'u-1', column: 'role' });
  });

  it('a status message of an unknown severity is an error, not informational', async () => {
    if (!ctx) return;
    const at = new Date().toISOString();
    await ctx.db.kysely
      .insertInto('status_message')
      .values({
        message_id: 1,
        severity: 'error',
        type: 'milestone',
        component: 'test',
        device_id: null,
        device_seq: null,
        machine: 'site',
        site_code: 'T01',
        at,
        received_at: at,
        insertion_strings: '[]',
        attributes: '{}',
      })
      .execute();
    await sql`update status_message set severity = 'fatal'`.execute(ctx.db.kysely);
    const c = ctx;
    const err = await corruptionOf(() => listStatusMessages(c, ADMIN, {}));
    expect(err).toMatchObject({ table: 'status_message', column: 'severity' });
  });
});
