import { randomUUID } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import type { Kysely, Selectable } from 'kysely';
import {
  MaintenanceWindowBody,
  type MaintenanceWindow,
  InputError,
  NotFoundError,
  ErrorCode,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import type { Database, MaintenanceWindowTable } from '../db/tables/index.js';
import { CorruptRowError, checkRow, parseJsonColumn } from '../db/corrupt-row.js';
import { writeAudit } from '../audit/audit.js';
import { findCollection } from '../collections/repository.js';
import type { DeploymentNotifier } from './notify.js';
import { requireWallTime } from './schedule-validation.js';

type Tx = Kysely<Database>;
type WindowRow = Selectable<MaintenanceWindowTable>;

/**
 * The stored window as its body. A row that no longer makes a valid window is corrupt: dropping
 * it from policy would let programs run outside the window the administrator set.
 */
export function windowBodyOf(row: WindowRow): MaintenanceWindowBody {
  checkRow('maintenance_window', row.id, row);
  const where = { table: 'maintenance_window', id: row.id } as const;
  const body: unknown = {
    name: row.name,
    start: row.start,
    durationMinutes: row.duration_minutes,
    recurrence: parseJsonColumn(MaintenanceWindowBody.properties.recurrence, row.recurrence, {
      ...where,
      column: 'recurrence',
    }),
    timeBase: row.time_base,
    appliesTo: row.applies_to,
    enabled: row.enabled === 1,
  };
  if (Value.Check(MaintenanceWindowBody, body)) return body;
  const first = Value.Errors(MaintenanceWindowBody, body).First();
  throw new CorruptRowError(
    { ...where, column: first?.path.slice(1) ?? '' },
    `not a valid maintenance window (${first?.message ?? 'invalid'})`,
  );
}

function columnsOf(b: MaintenanceWindowBody) {
  return {
    name: b.name,
    start: b.start,
    duration_minutes: b.durationMinutes,
    recurrence: JSON.stringify(b.recurrence),
    time_base: b.timeBase,
    applies_to: b.appliesTo,
    enabled: b.enabled ? 1 : 0,
  };
}

/**
 * Maintenance windows of collections (5 minutes to 24 hours; the schema refuses the rest). The
 * agent computes them itself, so a change only has to reach the collection's devices: each
 * one nudges them. A window that never occurs (day 31 of February) is allowed, as in SMS.
 */
export class MaintenanceWindowService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly notifier: DeploymentNotifier,
  ) {}

  private async rows(db: Tx, filter: { collectionId?: string; id?: string }) {
    let q = db
      .selectFrom('maintenance_window as w')
      .innerJoin('collection as c', 'c.id', 'w.collection_id')
      .selectAll('w')
      .select('c.name as collection_name')
      .orderBy('c.name')
      .orderBy('w.name')
      .orderBy('w.id');
    if (filter.collectionId !== undefined) q = q.where('w.collection_id', '=', filter.collectionId);
    if (filter.id !== undefined) q = q.where('w.id', '=', filter.id);
    return q.execute();
  }

  private toWindow(row: WindowRow & { collection_name: string }): MaintenanceWindow[] {
    return [
      {
        id: row.id,
        collectionId: row.collection_id,
        collectionName: row.collection_name,
        ...windowBodyOf(row),
      },
    ];
  }

  async list(actor: Actor, collectionIdOrName?: string): Promise<MaintenanceWindow[]> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    let collectionId: string | undefined;
    if (collectionIdOrName !== undefined) {
      const c = await findCollection(db, collectionIdOrName);
      if (!c)
        throw new NotFoundError('collection', collectionIdOrName, ErrorCode.COLLECTION_NOT_FOUND);
      collectionId = c.id;
    }
    return (await this.rows(db, collectionId === undefined ? {} : { collectionId })).flatMap((r) =>
      this.toWindow(r),
    );
  }

  async get(actor: Actor, id: string): Promise<MaintenanceWindow> {
    authorize(actor, 'read');
    const [w] = (await this.rows(this.ctx.db.kysely, { id })).flatMap((r) => this.toWindow(r));
    if (!w)
      throw new NotFoundError('maintenance window', id, ErrorCode.MAINTENANCE_WINDOW_NOT_FOUND);
    return w;
  }

  async create(
    actor: Actor,
    collectionIdOrName: string,
    body: MaintenanceWindowBody,
  ): Promise<MaintenanceWindow> {
    authorize(actor, 'deployments:write');
    requireWallTime(body.start, 'start');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    const collectionId = await this.ctx.db.kysely.transaction().execute(async (tx) => {
      const c = await findCollection(tx, collectionIdOrName);
      if (!c)
        throw new NotFoundError('collection', collectionIdOrName, ErrorCode.COLLECTION_NOT_FOUND);
      await tx
        .insertInto('maintenance_window')
        .values({ id, collection_id: c.id, created_at: at, ...columnsOf(body) })
        .execute();
      await writeAudit(tx, actor, at, {
        action: 'maintenance-window.create',
        targetType: 'maintenance-window',
        targetId: id,
        details: { collection: c.name, ...body },
      });
      return c.id;
    });
    await this.notifier.collectionsChanged([collectionId], actor.userName);
    return this.get(actor, id);
  }

  async update(
    actor: Actor,
    id: string,
    patch: Partial<MaintenanceWindowBody>,
  ): Promise<MaintenanceWindow> {
    authorize(actor, 'deployments:write');
    if (patch.start !== undefined) requireWallTime(patch.start, 'start');
    const at = nowIso(this.ctx);
    const collectionId = await this.ctx.db.kysely.transaction().execute(async (tx) => {
      const row = await this.mustFindRow(tx, id);
      const before = windowBodyOf(row);
      const merged: unknown = { ...before, ...patch };
      if (!Value.Check(MaintenanceWindowBody, merged))
        throw new InputError(ErrorCode.INVALID_SCHEDULE, 'the window is incomplete or invalid');
      await tx
        .updateTable('maintenance_window')
        .set(columnsOf(merged))
        .where('id', '=', row.id)
        .execute();
      await writeAudit(tx, actor, at, {
        action: 'maintenance-window.update',
        targetType: 'maintenance-window',
        targetId: row.id,
        details: { name: row.name, changes: patch },
      });
      return row.collection_id;
    });
    await this.notifier.collectionsChanged([collectionId], actor.userName);
    return this.get(actor, id);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'deployments:write');
    const at = nowIso(this.ctx);
    const collectionId = await this.ctx.db.kysely.transaction().execute(async (tx) => {
      const row = await this.mustFindRow(tx, id);
      await tx.deleteFrom('maintenance_window').where('id', '=', row.id).execute();
      await writeAudit(tx, actor, at, {
        action: 'maintenance-window.delete',
        targetType: 'maintenance-window',
        targetId: row.id,
        details: { name: row.name, collectionId: row.collection_id },
      });
      return row.collection_id;
    });
    await this.notifier.collectionsChanged([collectionId], actor.userName);
  }

  private async mustFindRow(tx: Tx, id: string): Promise<WindowRow> {
    const row = await tx
      .selectFrom('maintenance_window')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row)
      throw new NotFoundError('maintenance window', id, ErrorCode.MAINTENANCE_WINDOW_NOT_FOUND);
    return row;
  }
}
