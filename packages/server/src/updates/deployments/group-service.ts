import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  type UpdateGroup,
  type UpdateGroupInput,
  type UpdateGroupPatch,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize, nowIso } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { inTransaction, type Tx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/unique-violation.js';
import {
  addMembers,
  deleteGroupRow,
  existingMemberIds,
  findGroup,
  groupMembers,
  insertGroup,
  listGroups,
  removeMember,
  updateGroupRow,
  type GroupRow,
} from './group-repository.js';

const E = ErrorCode;

function toGroup(r: GroupRow, updateIds: string[], customUpdateIds: string[]): UpdateGroup {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    updateIds,
    customUpdateIds,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
  };
}

/**
 * Splits ids into catalog and custom updates (ADR 0083), refusing, before anything is written,
 * ids that name neither.
 */
async function checkUpdates(
  tx: Tx,
  ids: readonly string[],
): Promise<{ apt: string[]; custom: string[] }> {
  const known = await existingMemberIds(tx, ids, 'apt');
  const custom = await existingMemberIds(
    tx,
    ids.filter((id) => !known.has(id)),
    'custom',
  );
  const missing = ids.filter((id) => !known.has(id) && !custom.has(id));
  if (missing.length > 0)
    throw new InputError(
      E.UPDATE_GROUP_UPDATE_NOT_FOUND,
      `no update ${missing.slice(0, 5).join(', ')} in the catalog or the custom updates`,
      { updateIds: missing },
    );
  return { apt: ids.filter((id) => known.has(id)), custom: ids.filter((id) => custom.has(id)) };
}

/** Adds catalog and custom updates to a group (each kind in its own member table). */
async function addAll(tx: Tx, groupId: string, ids: readonly string[], at: string) {
  const split = await checkUpdates(tx, ids);
  await addMembers(tx, groupId, split.apt, at, 'apt');
  await addMembers(tx, groupId, split.custom, at, 'custom');
}

function nameTaken(err: unknown, name: string | undefined): unknown {
  if (isUniqueViolation(err))
    return new ConflictError(
      E.UPDATE_GROUP_NAME_TAKEN,
      `an update group named "${name ?? ''}" exists`,
    );
  return err;
}

/** Update groups (issue 10): named sets of updates approved and deployed together. */
export class UpdateGroupService {
  constructor(private readonly ctx: SiteContext) {}

  private async mustFind(db: Tx | SiteContext['db']['kysely'], idOrName: string) {
    const row = await findGroup(db, idOrName);
    if (!row) throw new NotFoundError('update group', idOrName, E.UPDATE_GROUP_NOT_FOUND);
    return row;
  }

  private async read(id: string): Promise<UpdateGroup> {
    const db = this.ctx.db.kysely;
    const row = await this.mustFind(db, id);
    return toGroup(
      row,
      (await groupMembers(db, [row.id])).get(row.id) ?? [],
      (await groupMembers(db, [row.id], 'custom')).get(row.id) ?? [],
    );
  }

  async listGroups(actor: Actor): Promise<{ items: UpdateGroup[]; total: number }> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const rows = await listGroups(db);
    const ids = rows.map((r) => r.id);
    const members = await groupMembers(db, ids);
    const custom = await groupMembers(db, ids, 'custom');
    const items = rows.map((r) => toGroup(r, members.get(r.id) ?? [], custom.get(r.id) ?? []));
    return { items, total: items.length };
  }

  async getGroup(actor: Actor, idOrName: string): Promise<UpdateGroup> {
    authorize(actor, 'read');
    return this.read(idOrName);
  }

  async createGroup(actor: Actor, input: UpdateGroupInput): Promise<UpdateGroup> {
    authorize(actor, 'software:write');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        const updateIds = input.updateIds ?? [];
        // Checked before the group row is written: an unknown id writes nothing.
        await checkUpdates(tx, updateIds);
        await insertGroup(tx, {
          id,
          name: input.name,
          description: input.description ?? '',
          created_at: at,
          created_by: actor.userName,
          updated_at: at,
        });
        await addAll(tx, id, updateIds, at);
        await writeAudit(tx, actor, at, {
          action: 'update-group.create',
          targetType: 'update-group',
          targetId: id,
          details: { name: input.name, updateIds },
        });
      });
    } catch (err) {
      throw nameTaken(err, input.name);
    }
    return this.read(id);
  }

  async updateGroup(actor: Actor, idOrName: string, patch: UpdateGroupPatch): Promise<UpdateGroup> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    const at = nowIso(this.ctx);
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await updateGroupRow(tx, row.id, {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          updated_at: at,
        });
        await writeAudit(tx, actor, at, {
          action: 'update-group.update',
          targetType: 'update-group',
          targetId: row.id,
          details: patch,
        });
      });
    } catch (err) {
      throw nameTaken(err, patch.name);
    }
    return this.read(row.id);
  }

  async deleteGroup(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await deleteGroupRow(tx, row.id);
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'update-group.delete',
        targetType: 'update-group',
        targetId: row.id,
        details: { name: row.name },
      });
    });
  }

  async addUpdates(actor: Actor, idOrName: string, updateIds: string[]): Promise<UpdateGroup> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await addAll(tx, row.id, updateIds, at);
      await updateGroupRow(tx, row.id, { updated_at: at });
      await writeAudit(tx, actor, at, {
        action: 'update-group.add-updates',
        targetType: 'update-group',
        targetId: row.id,
        details: { updateIds },
      });
    });
    return this.read(row.id);
  }

  async removeUpdate(actor: Actor, idOrName: string, updateId: string): Promise<UpdateGroup> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const removed =
        (await removeMember(tx, row.id, updateId)) ||
        (await removeMember(tx, row.id, updateId, 'custom'));
      if (!removed)
        throw new NotFoundError(
          `update in group "${row.name}"`,
          updateId,
          E.UPDATE_GROUP_MEMBER_NOT_FOUND,
        );
      await updateGroupRow(tx, row.id, { updated_at: at });
      await writeAudit(tx, actor, at, {
        action: 'update-group.remove-update',
        targetType: 'update-group',
        targetId: row.id,
        details: { updateId },
      });
    });
    return this.read(row.id);
  }
}
