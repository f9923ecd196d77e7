import { ConflictError, InputError, NotFoundError, ErrorCode } from '@steward/protocol';
import { randomUUID } from 'node:crypto';
import type {
  Boundary,
  BoundaryGroup,
  BoundaryGroupNeighbour,
  CreateBoundaryGroupRequest,
  CreateBoundaryRequest,
  UpdateBoundaryGroupRequest,
  UpdateBoundaryRequest,
} from '@steward/protocol';
import { checkRow } from '../db/corrupt-row.js';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { resolveDpIds } from './dp-repository.js';
import {
  deleteBoundary,
  deleteBoundaryGroup,
  findBoundary,
  findBoundaryGroup,
  insertBoundary,
  insertBoundaryGroup,
  loadBoundaries,
  loadBoundaryGroups,
  resolveBoundaryGroupIds,
  setBoundaryGroupsOf,
  setGroupDps,
  setGroupNeighbours,
  updateBoundaryGroupRow,
  updateBoundaryRow,
  type BoundaryGroupRow,
  type BoundaryRow,
} from './boundary-repository.js';
import { parseBoundary, type BoundaryRange } from './ip-address.js';
import { type Queryable, inTransaction } from '../db/database.js';

const E = ErrorCode;

function checkedRange(type: CreateBoundaryRequest['type'], value: string): BoundaryRange {
  const r = parseBoundary(type, value);
  if (!r.ok) throw new InputError(E.INVALID_BOUNDARY, r.error);
  return r.range;
}

/**
 * Boundaries (IP subnets and ranges, stored as key ranges) and boundary groups (their DPs,
 * neighbours with a fallback delay, site, slow flag): what content location reads.
 */
export class BoundaryService {
  constructor(private readonly ctx: SiteContext) {}

  private async mustFindBoundary(idOrName: string): Promise<BoundaryRow> {
    const row = await findBoundary(this.ctx.db.kysely, idOrName);
    if (!row) throw new NotFoundError('boundary', idOrName, E.BOUNDARY_NOT_FOUND);
    return row;
  }

  private async mustFindGroup(idOrName: string): Promise<BoundaryGroupRow> {
    const row = await findBoundaryGroup(this.ctx.db.kysely, idOrName);
    if (!row) throw new NotFoundError('boundary group', idOrName, E.BOUNDARY_GROUP_NOT_FOUND);
    return row;
  }

  private async groupIds(idsOrNames: readonly string[]): Promise<string[]> {
    const r = await resolveBoundaryGroupIds(this.ctx.db.kysely, idsOrNames);
    if (r.unknown !== undefined)
      throw new InputError(
        E.BOUNDARY_GROUP_NOT_FOUND,
        `boundary group "${r.unknown}" does not exist`,
      );
    return r.ids;
  }

  private async dpIds(idsOrNames: readonly string[]): Promise<string[]> {
    const r = await resolveDpIds(this.ctx.db.kysely, idsOrNames);
    if (r.unknown !== undefined)
      throw new InputError(E.DP_NOT_FOUND, `distribution point "${r.unknown}" does not exist`);
    return r.ids;
  }

  /** Neighbour ids resolved; a group naming itself or one neighbour twice is refused. */
  private async neighbours(
    selfId: string,
    list: readonly BoundaryGroupNeighbour[],
  ): Promise<BoundaryGroupNeighbour[]> {
    const out: BoundaryGroupNeighbour[] = [];
    for (const n of list) {
      const [id] = await this.groupIds([n.boundaryGroupId]);
      if (id === undefined) continue;
      if (id === selfId)
        throw new InputError(E.INVALID_NEIGHBOUR, 'a boundary group cannot be its own neighbour');
      if (out.some((o) => o.boundaryGroupId === id))
        throw new InputError(
          E.INVALID_NEIGHBOUR,
          `neighbour "${n.boundaryGroupId}" is named twice`,
        );
      out.push({ boundaryGroupId: id, fallbackAfterMinutes: n.fallbackAfterMinutes });
    }
    return out;
  }

  async listBoundaries(actor: Actor): Promise<Boundary[]> {
    authorize(actor, 'read');
    return loadBoundaries(this.ctx.db.kysely);
  }

  private async loadBoundary(id: string): Promise<Boundary> {
    const [b] = await loadBoundaries(this.ctx.db.kysely, [id]);
    if (!b) throw new NotFoundError('boundary', id, E.BOUNDARY_NOT_FOUND);
    return b;
  }

  async createBoundary(actor: Actor, req: CreateBoundaryRequest): Promise<Boundary> {
    authorize(actor, 'software:write');
    const range = checkedRange(req.type, req.value);
    const groups = await this.groupIds(req.boundaryGroupIds ?? []);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await this.write(
      E.BOUNDARY_NAME_TAKEN,
      `a boundary named "${req.name}" already exists`,
      async (tx) => {
        await insertBoundary(tx, {
          id,
          name: req.name,
          type: req.type,
          value: range.value,
          start_key: range.startKey,
          end_key: range.endKey,
          created_at: at,
        });
        await setBoundaryGroupsOf(tx, id, groups);
        await writeAudit(tx, actor, at, {
          action: 'boundary.create',
          targetType: 'boundary',
          targetId: id,
          details: { name: req.name, type: req.type, value: range.value, boundaryGroupIds: groups },
        });
      },
    );
    return this.loadBoundary(id);
  }

  async updateBoundary(
    actor: Actor,
    idOrName: string,
    req: UpdateBoundaryRequest,
  ): Promise<Boundary> {
    authorize(actor, 'software:write');
    const row = await this.mustFindBoundary(idOrName);
    const type = req.type ?? checkRow('boundary', row.id, row).type;
    const range = checkedRange(type, req.value ?? row.value);
    const groups =
      req.boundaryGroupIds === undefined ? undefined : await this.groupIds(req.boundaryGroupIds);
    const name = req.name ?? row.name;
    const at = nowIso(this.ctx);
    await this.write(
      E.BOUNDARY_NAME_TAKEN,
      `a boundary named "${name}" already exists`,
      async (tx) => {
        await updateBoundaryRow(tx, row.id, {
          name,
          type,
          value: range.value,
          start_key: range.startKey,
          end_key: range.endKey,
        });
        if (groups !== undefined) await setBoundaryGroupsOf(tx, row.id, groups);
        await writeAudit(tx, actor, at, {
          action: 'boundary.update',
          targetType: 'boundary',
          targetId: row.id,
          details: {
            name,
            type,
            value: range.value,
            ...(groups ? { boundaryGroupIds: groups } : {}),
          },
        });
      },
    );
    return this.loadBoundary(row.id);
  }

  async deleteBoundary(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const row = await this.mustFindBoundary(idOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await deleteBoundary(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'boundary.delete',
        targetType: 'boundary',
        targetId: row.id,
        details: { name: row.name, value: row.value },
      });
    });
  }

  async listGroups(actor: Actor): Promise<BoundaryGroup[]> {
    authorize(actor, 'read');
    return loadBoundaryGroups(this.ctx.db.kysely);
  }

  async getGroup(actor: Actor, idOrName: string): Promise<BoundaryGroup> {
    authorize(actor, 'read');
    return this.loadGroup((await this.mustFindGroup(idOrName)).id);
  }

  private async loadGroup(id: string): Promise<BoundaryGroup> {
    const [g] = await loadBoundaryGroups(this.ctx.db.kysely, [id]);
    if (!g) throw new NotFoundError('boundary group', id, E.BOUNDARY_GROUP_NOT_FOUND);
    return g;
  }

  async createGroup(actor: Actor, req: CreateBoundaryGroupRequest): Promise<BoundaryGroup> {
    authorize(actor, 'software:write');
    const id = randomUUID();
    const dps = await this.dpIds(req.dpIds ?? []);
    const neighbours = await this.neighbours(id, req.neighbours ?? []);
    const at = nowIso(this.ctx);
    const row = {
      id,
      name: req.name,
      description: req.description ?? '',
      site_code: req.siteCode ?? this.ctx.siteCode,
      slow: req.slow ? 1 : 0,
      created_at: at,
    };
    await this.write(
      E.BOUNDARY_GROUP_NAME_TAKEN,
      `a boundary group named "${req.name}" already exists`,
      async (tx) => {
        await insertBoundaryGroup(tx, row);
        await setGroupDps(tx, id, dps);
        await setGroupNeighbours(tx, id, neighbours);
        await writeAudit(tx, actor, at, {
          action: 'boundary-group.create',
          targetType: 'boundary-group',
          targetId: id,
          details: {
            name: req.name,
            siteCode: row.site_code,
            dpIds: dps,
            neighbours,
            slow: row.slow === 1,
          },
        });
      },
    );
    return this.loadGroup(id);
  }

  async updateGroup(
    actor: Actor,
    idOrName: string,
    req: UpdateBoundaryGroupRequest,
  ): Promise<BoundaryGroup> {
    authorize(actor, 'software:write');
    const row = await this.mustFindGroup(idOrName);
    const dps = req.dpIds === undefined ? undefined : await this.dpIds(req.dpIds);
    const neighbours =
      req.neighbours === undefined ? undefined : await this.neighbours(row.id, req.neighbours);
    const changes = {
      ...(req.name !== undefined ? { name: req.name } : {}),
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.siteCode !== undefined ? { site_code: req.siteCode } : {}),
      ...(req.slow !== undefined ? { slow: req.slow ? 1 : 0 } : {}),
    };
    const name = req.name ?? row.name;
    const at = nowIso(this.ctx);
    await this.write(
      E.BOUNDARY_GROUP_NAME_TAKEN,
      `a boundary group named "${name}" already exists`,
      async (tx) => {
        await updateBoundaryGroupRow(tx, row.id, changes);
        if (dps !== undefined) await setGroupDps(tx, row.id, dps);
        if (neighbours !== undefined) await setGroupNeighbours(tx, row.id, neighbours);
        await writeAudit(tx, actor, at, {
          action: 'boundary-group.update',
          targetType: 'boundary-group',
          targetId: row.id,
          details: {
            name,
            ...changes,
            ...(dps ? { dpIds: dps } : {}),
            ...(neighbours ? { neighbours } : {}),
          },
        });
      },
    );
    return this.loadGroup(row.id);
  }

  async deleteGroup(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const row = await this.mustFindGroup(idOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await deleteBoundaryGroup(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'boundary-group.delete',
        targetType: 'boundary-group',
        targetId: row.id,
        details: { name: row.name },
      });
    });
  }

  private async write(
    code: ErrorCode,
    message: string,
    fn: (tx: Queryable) => Promise<void>,
  ): Promise<void> {
    try {
      await inTransaction(this.ctx.db.kysely, fn);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(code, message);
      throw err;
    }
  }
}
