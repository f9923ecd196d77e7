import { ConflictError, InputError, NotFoundError, ErrorCode } from '@steward/protocol';
import { randomUUID } from 'node:crypto';
import type { CreateDpGroupRequest, DpGroup, UpdateDpGroupRequest } from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { findPackage, findVersion } from '../content/repository.js';
import { targetDps } from './content-status-repository.js';
import {
  addGroupMembers,
  deleteDpGroup,
  findDpGroup,
  insertDpGroup,
  loadDpGroups,
  membersMissingContent,
  removeGroupMember,
  replaceGroupMembers,
  resolveDpIds,
  SITE_SERVER_DP_ID,
  updateDpGroupRow,
  type DpGroupRow,
} from './dp-repository.js';
import { mustFindDp } from './dp-service.js';
import type { DistributionService } from './distribution-service.js';
import { type Queryable, inTransaction } from '../db/database.js';

/**
 * DP groups. Giving a group a package targets its members of that moment; a DP added later is
 * not sent the group's packages (seed 004, as SMS did): the group lists it under
 * `membersMissingContent` until "distribute to new members".
 */
export class DpGroupService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly distribution: DistributionService,
  ) {}

  private async mustFind(idOrName: string): Promise<DpGroupRow> {
    const row = await findDpGroup(this.ctx.db.kysely, idOrName);
    if (!row) throw new NotFoundError('DP group', idOrName, ErrorCode.DP_GROUP_NOT_FOUND);
    return row;
  }

  private async load(id: string): Promise<DpGroup> {
    const [group] = await loadDpGroups(this.ctx.db.kysely, [id]);
    if (!group) throw new NotFoundError('DP group', id, ErrorCode.DP_GROUP_NOT_FOUND);
    return group;
  }

  private async memberIds(idsOrNames: readonly string[]): Promise<string[]> {
    const r = await resolveDpIds(this.ctx.db.kysely, idsOrNames);
    if (r.unknown !== undefined)
      throw new InputError(
        ErrorCode.DP_NOT_FOUND,
        `distribution point "${r.unknown}" does not exist`,
      );
    return r.ids;
  }

  async list(actor: Actor): Promise<DpGroup[]> {
    authorize(actor, 'read');
    return loadDpGroups(this.ctx.db.kysely);
  }

  async get(actor: Actor, idOrName: string): Promise<DpGroup> {
    authorize(actor, 'read');
    return this.load((await this.mustFind(idOrName)).id);
  }

  async create(actor: Actor, req: CreateDpGroupRequest): Promise<DpGroup> {
    authorize(actor, 'software:write');
    const members = await this.memberIds(req.memberIds ?? []);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await this.write(req.name, async (tx) => {
      await insertDpGroup(tx, {
        id,
        name: req.name,
        description: req.description ?? '',
        created_at: at,
      });
      await addGroupMembers(tx, id, members, at);
      await writeAudit(tx, actor, at, {
        action: 'dp-group.create',
        targetType: 'dp-group',
        targetId: id,
        details: { name: req.name, memberIds: members },
      });
    });
    return this.load(id);
  }

  /** `memberIds` replaces the members; new ones are not sent the group's packages. */
  async update(actor: Actor, idOrName: string, req: UpdateDpGroupRequest): Promise<DpGroup> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    const members = req.memberIds === undefined ? undefined : await this.memberIds(req.memberIds);
    const at = nowIso(this.ctx);
    const changes = {
      ...(req.name !== undefined ? { name: req.name } : {}),
      ...(req.description !== undefined ? { description: req.description } : {}),
    };
    await this.write(req.name ?? row.name, async (tx) => {
      await updateDpGroupRow(tx, row.id, changes);
      if (members !== undefined) await replaceGroupMembers(tx, row.id, members, at);
      await writeAudit(tx, actor, at, {
        action: 'dp-group.update',
        targetType: 'dp-group',
        targetId: row.id,
        details: { name: row.name, ...changes, ...(members ? { memberIds: members } : {}) },
      });
    });
    return this.load(row.id);
  }

  /** Deleting a group leaves its packages on the DPs that have them. */
  async remove(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await deleteDpGroup(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'dp-group.delete',
        targetType: 'dp-group',
        targetId: row.id,
        details: { name: row.name },
      });
    });
  }

  async addMembers(actor: Actor, idOrName: string, dpIdsOrNames: string[]): Promise<DpGroup> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    const members = await this.memberIds(dpIdsOrNames);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await addGroupMembers(tx, row.id, members, at);
      await writeAudit(tx, actor, at, {
        action: 'dp-group.add-members',
        targetType: 'dp-group',
        targetId: row.id,
        details: { name: row.name, dpIds: members },
      });
    });
    return this.load(row.id);
  }

  async removeMember(actor: Actor, idOrName: string, dpIdOrName: string): Promise<DpGroup> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    const dp = await mustFindDp(this.ctx.db.kysely, dpIdOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await removeGroupMember(tx, { groupId: row.id, dpId: dp.id });
      await writeAudit(tx, actor, at, {
        action: 'dp-group.remove-member',
        targetType: 'dp-group',
        targetId: row.id,
        details: { name: row.name, dpId: dp.id },
      });
    });
    return this.load(row.id);
  }

  /** Targets members that lack some of the group's packages with those packages' current versions. */
  async distributeToNewMembers(actor: Actor, idOrName: string): Promise<DpGroup> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    const db = this.ctx.db.kysely;
    const at = nowIso(this.ctx);
    const sitePackages = await inTransaction(db, async (tx) => {
      const gaps = await membersMissingContent(tx, [row.id]);
      const toSite: string[] = [];
      for (const packageId of new Set(gaps.map((g) => g.package_id))) {
        const pkg = await findPackage(tx, packageId);
        const version = pkg?.current_version_id
          ? await findVersion(tx, pkg.current_version_id)
          : undefined;
        if (!version) continue;
        const dpIds = gaps.filter((g) => g.package_id === packageId).map((g) => g.dp_id);
        const added = await targetDps(tx, { packageId, version, dpIds, at });
        if (added.includes(SITE_SERVER_DP_ID)) toSite.push(packageId);
      }
      await writeAudit(tx, actor, at, {
        action: 'dp-group.distribute-to-new-members',
        targetType: 'dp-group',
        targetId: row.id,
        details: { name: row.name, targets: gaps.map((g) => [g.dp_id, g.package_id]) },
      });
      return toSite;
    });
    for (const packageId of sitePackages) await this.distribution.installOnSiteServer(packageId);
    return this.load(row.id);
  }

  private async write(name: string, fn: (tx: Queryable) => Promise<void>): Promise<void> {
    try {
      await inTransaction(this.ctx.db.kysely, fn);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.DP_GROUP_NAME_TAKEN,
          `a DP group named "${name}" already exists`,
        );
      throw err;
    }
  }
}
