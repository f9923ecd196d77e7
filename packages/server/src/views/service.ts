import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  type CreateViewRequest,
  ErrorCode,
  NotAllowedError,
  NotFoundError,
  type SavedView,
  type UpdateViewRequest,
  type ViewList,
  type ViewState,
  ViewState as ViewStateSchema,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { CorruptRowError, parseJsonColumn } from '../db/corrupt-row.js';
import { inTransaction } from '../db/database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { inventoryColumnsOf } from '../devices/columns.js';
import {
  clearDefaultView,
  defaultViewIds,
  deleteView,
  dropOthersDefaults,
  findVisibleView,
  insertView,
  setDefaultView,
  updateView,
  visibleViews,
  type SavedViewRow,
} from './repository.js';

function listOf(row: SavedViewRow): ViewList {
  if (row.list === 'devices') return row.list;
  throw new CorruptRowError({ table: 'saved_view', id: row.id, column: 'list' }, 'unknown list');
}

function toView(row: SavedViewRow, defaults: ReadonlySet<string>): SavedView {
  return {
    id: row.id,
    list: listOf(row),
    name: row.name,
    owner: row.owner,
    shared: row.shared === 1,
    isDefault: defaults.has(row.id),
    state: parseJsonColumn(ViewStateSchema, row.state, {
      table: 'saved_view',
      id: row.id,
      column: 'state',
    }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(ErrorCode.VIEW_NAME_TAKEN, `you already have a view named "${name}"`);
}

/**
 * Saved views of the device list (ADR 0034): each user's own and the shared ones. Any signed-in
 * user may save views (they change nothing on the fleet); only a view's owner changes it.
 */
export class ViewService {
  constructor(private readonly ctx: SiteContext) {}

  async list(actor: Actor, list: ViewList | undefined): Promise<SavedView[]> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const rows = await visibleViews(db, { userName: actor.userName, list });
    const defaults = await defaultViewIds(db, actor.userName);
    return rows.map((r) => toView(r, defaults));
  }

  async get(actor: Actor, idOrName: string): Promise<SavedView> {
    authorize(actor, 'read');
    const row = await this.mustFind(actor, idOrName);
    return toView(row, await defaultViewIds(this.ctx.db.kysely, actor.userName));
  }

  async create(actor: Actor, req: CreateViewRequest): Promise<SavedView> {
    authorize(actor, 'read');
    await this.checkState(req.state);
    const at = nowIso(this.ctx);
    const id = randomUUID();
    const row = {
      id,
      list: req.list ?? 'devices',
      name: req.name.trim(),
      owner: actor.userName,
      shared: req.shared ? 1 : 0,
      state: JSON.stringify(req.state),
      created_at: at,
      updated_at: at,
    };
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await insertView(tx, row);
        await writeAudit(tx, actor, at, {
          action: 'view.create',
          targetType: 'view',
          targetId: id,
          details: { name: row.name, shared: req.shared ?? false },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(row.name);
      throw err;
    }
    return this.get(actor, id);
  }

  async update(actor: Actor, idOrName: string, req: UpdateViewRequest): Promise<SavedView> {
    authorize(actor, 'read');
    const row = await this.mustOwn(actor, idOrName);
    if (req.state) await this.checkState(req.state);
    const at = nowIso(this.ctx);
    const shared = req.shared === undefined ? row.shared : req.shared ? 1 : 0;
    const name = req.name?.trim() ?? row.name;
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await updateView(tx, {
          id: row.id,
          name,
          shared,
          state: req.state ? JSON.stringify(req.state) : undefined,
          at,
        });
        if (shared === 0) await dropOthersDefaults(tx, { viewId: row.id, owner: row.owner });
        await writeAudit(tx, actor, at, {
          action: 'view.update',
          targetType: 'view',
          targetId: row.id,
          details: { name, shared: shared === 1, state: req.state !== undefined },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(name);
      throw err;
    }
    return this.get(actor, row.id);
  }

  async remove(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'read');
    const row = await this.mustOwn(actor, idOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await deleteView(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'view.delete',
        targetType: 'view',
        targetId: row.id,
        details: { name: row.name },
      });
    });
  }

  async setDefault(actor: Actor, idOrName: string): Promise<SavedView> {
    authorize(actor, 'read');
    const row = await this.mustFind(actor, idOrName);
    await setDefaultView(this.ctx.db.kysely, {
      userName: actor.userName,
      list: listOf(row),
      viewId: row.id,
    });
    return this.get(actor, row.id);
  }

  async clearDefault(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'read');
    const row = await this.mustFind(actor, idOrName);
    await clearDefaultView(this.ctx.db.kysely, { userName: actor.userName, viewId: row.id });
  }

  private async mustFind(actor: Actor, idOrName: string): Promise<SavedViewRow> {
    const row = await findVisibleView(this.ctx.db.kysely, { userName: actor.userName, idOrName });
    if (!row) throw new NotFoundError('view', idOrName, ErrorCode.VIEW_NOT_FOUND);
    return row;
  }

  private async mustOwn(actor: Actor, idOrName: string): Promise<SavedViewRow> {
    const row = await this.mustFind(actor, idOrName);
    if (row.owner !== actor.userName)
      throw new NotAllowedError(
        `view "${row.name}" belongs to ${row.owner}: save a copy under your own name instead`,
        ErrorCode.VIEW_NOT_OWNER,
      );
    return row;
  }

  /** Every column and the sort key must name a column of the catalogue (DEVICE_COLUMN_UNKNOWN). */
  private async checkState(state: ViewState): Promise<void> {
    await inventoryColumnsOf(this.ctx, [...state.columns]);
    if (state.sort) await inventoryColumnsOf(this.ctx, [state.sort]);
  }
}
