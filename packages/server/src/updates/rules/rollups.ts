import { randomUUID } from 'node:crypto';
import { ErrorCode, InputError, NotFoundError, type UpdateRollup } from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize, nowIso } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { inTransaction } from '../../db/database.js';
import { raiseSiteStatus } from '../../status/site-status.js';
import type { ApprovedContentService } from '../deployments/content-service.js';
import {
  addMembers,
  findGroup,
  groupMembers,
  insertGroup,
  removeMember,
  updateGroupRow,
} from '../deployments/group-repository.js';
import { findSource, listSources, type SourceRow } from '../repository.js';
import * as repo from './repository.js';

const E = ErrorCode;

const rollupGroupName = (s: SourceRow) => `Rollup: ${s.name} (${s.suite})`.slice(0, 200);

/**
 * Rollups (issue 10, ADR 0072): per update source (one product and release), the latest
 * updates that apply to the fleet. A rollup is an ordinary update group the site keeps equal to
 * that set when it is refreshed, so it is published and deployed like any group: one apt
 * transaction and one restart decision on each machine.
 */
export class UpdateRollupService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly content: ApprovedContentService,
  ) {}

  private async compose(sources: SourceRow[]): Promise<UpdateRollup[]> {
    const db = this.ctx.db.kysely;
    const saved = await repo.rollupRows(db);
    const out: UpdateRollup[] = [];
    for (const s of sources) {
      const latest = await repo.latestApplicable(db, s.id);
      const r = saved.find((x) => x.source_id === s.id);
      const held = r?.group_name
        ? ((await groupMembers(db, [r.group_id])).get(r.group_id) ?? [])
        : [];
      const current =
        r?.group_name != null &&
        held.length === latest.length &&
        latest.every((id) => held.includes(id));
      out.push({
        sourceId: s.id,
        sourceName: s.name,
        suite: s.suite,
        updateIds: latest,
        groupId: r?.group_name ? r.group_id : null,
        groupName: r?.group_name ?? null,
        current,
        refreshedAt: r?.refreshed_at ?? null,
      });
    }
    return out;
  }

  private async mustFindSource(idOrName: string): Promise<SourceRow> {
    const s = await findSource(this.ctx.db.kysely, idOrName);
    if (!s) throw new NotFoundError('update source', idOrName, E.UPDATE_ROLLUP_NOT_FOUND);
    return s;
  }

  async list(actor: Actor): Promise<{ items: UpdateRollup[]; total: number }> {
    authorize(actor, 'read');
    const items = await this.compose(await listSources(this.ctx.db.kysely));
    return { items, total: items.length };
  }

  async get(actor: Actor, idOrName: string): Promise<UpdateRollup> {
    authorize(actor, 'read');
    const [r] = await this.compose([await this.mustFindSource(idOrName)]);
    if (!r) throw new NotFoundError('update source', idOrName, E.UPDATE_ROLLUP_NOT_FOUND);
    return r;
  }

  /** Makes the rollup's group hold exactly the latest set, then publishes its content. */
  async refresh(actor: Actor, idOrName: string): Promise<UpdateRollup> {
    authorize(actor, 'software:write');
    const source = await this.mustFindSource(idOrName);
    const at = nowIso(this.ctx);
    const groupId = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const latest = await repo.latestApplicable(tx, source.id);
      if (latest.length === 0)
        throw new InputError(
          E.UPDATE_ROLLUP_EMPTY,
          `update source "${source.name}" has no current update that applies to a device`,
        );
      const saved = (await repo.rollupRows(tx)).find((r) => r.source_id === source.id);
      let group = saved ? await findGroup(tx, saved.group_id) : undefined;
      if (!group) {
        group = {
          id: randomUUID(),
          name: rollupGroupName(source),
          description: `Latest applicable updates of ${source.name} (${source.suite}), kept current`,
          created_at: at,
          created_by: actor.userName,
          updated_at: at,
        };
        await insertGroup(tx, group);
      }
      const held = (await groupMembers(tx, [group.id])).get(group.id) ?? [];
      const stale = held.filter((id) => !latest.includes(id));
      for (const id of stale) await removeMember(tx, group.id, id);
      await addMembers(tx, group.id, latest, at);
      await updateGroupRow(tx, group.id, { updated_at: at });
      await repo.saveRollup(tx, { source_id: source.id, group_id: group.id, refreshed_at: at });
      const added = latest.filter((id) => !held.includes(id)).length;
      await writeAudit(tx, actor, at, {
        action: 'update-rollup.refresh',
        targetType: 'update-group',
        targetId: group.id,
        details: { source: source.name, updates: latest.length, added, removed: stale.length },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'UPDATE_ROLLUP_REFRESHED',
          insertionStrings: [
            source.name,
            source.suite,
            String(latest.length),
            String(added),
            String(stale.length),
            group.name,
          ],
          attributes: { updateSource: source.id },
        },
        tx,
      );
      return group.id;
    });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    await this.content.publishGroup(actor, groupId);
    return this.get(actor, source.id);
  }
}
