import { randomUUID } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import {
  MaintenanceWindowBody,
  type MaintenanceWindow,
  InputError,
  NotFoundError,
  ErrorCode,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { findCollection } from '../collections/repository.js';
import type { DeploymentNotifier } from './notify.js';
import { requireWallTime } from './schedule-validation.js';
import * as repo from './repository/maintenance-windows.js';
import { windowBodyOf, type WindowRow } from './repository/maintenance-windows.js';
import { type Queryable, inTransaction } from '../db/database.js';

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
    return (
      await repo.listWindowRows(db, collectionId === undefined ? {} : { collectionId })
    ).flatMap((r) => this.toWindow(r));
  }

  async get(actor: Actor, id: string): Promise<MaintenanceWindow> {
    authorize(actor, 'read');
    const [w] = (await repo.listWindowRows(this.ctx.db.kysely, { id })).flatMap((r) =>
      this.toWindow(r),
    );
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
    const collectionId = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const c = await findCollection(tx, collectionIdOrName);
      if (!c)
        throw new NotFoundError('collection', collectionIdOrName, ErrorCode.COLLECTION_NOT_FOUND);
      await repo.insertWindow(tx, { id, collectionId: c.id, createdAt: at, body });
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
    const collectionId = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await this.mustFindRow(tx, id);
      const before = windowBodyOf(row);
      const merged: unknown = { ...before, ...patch };
      if (!Value.Check(MaintenanceWindowBody, merged))
        throw new InputError(ErrorCode.INVALID_SCHEDULE, 'the window is incomplete or invalid');
      await repo.updateWindow(tx, { id: row.id, body: merged });
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
    const collectionId = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await this.mustFindRow(tx, id);
      await repo.deleteWindow(tx, row.id);
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

  private async mustFindRow(tx: Queryable, id: string): Promise<WindowRow> {
    const row = await repo.findWindowRow(tx, id);
    if (!row)
      throw new NotFoundError('maintenance window', id, ErrorCode.MAINTENANCE_WINDOW_NOT_FOUND);
    return row;
  }
}
