import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  patchedSettings,
  UpdateRuleScheduleOptions,
  UpdateRuleTemplateOptions,
  withSettingDefaults,
  type UpdateRule,
  type UpdateRuleBody,
  type UpdateRuleFilter,
  type UpdateRulePatch,
  type UpdateRulePreview,
  type UpdateRuleRun,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize, nowIso } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { findCollection } from '../../collections/repository.js';
import { inTransaction, type Queryable } from '../../db/database.js';
import { isUniqueViolation } from '../../db/unique-violation.js';
import { findGroup } from '../deployments/group-repository.js';
import { findSource } from '../repository.js';
import type { UpdateCatalogService } from '../service.js';
import { catalogFilter } from './filter.js';
import { templateOf, toRule, toRun } from './present.js';
import * as repo from './repository.js';

const E = ErrorCode;
const PREVIEW_LIMIT = 50;

function nameTaken(name: string | undefined): ConflictError {
  return new ConflictError(
    E.UPDATE_RULE_NAME_TAKEN,
    `an automatic deployment rule named "${name ?? ''}" exists`,
  );
}

/** Collections by id or name, each once: returns their ids in the order given. */
async function resolveCollections(tx: Queryable, ids: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const idOrName of ids) {
    const c = await findCollection(tx, idOrName);
    if (!c) throw new NotFoundError('collection', idOrName, E.COLLECTION_NOT_FOUND);
    if (out.includes(c.id))
      throw new InputError(E.UPDATE_RULE_INVALID, `collection "${c.name}" is named twice`, {
        field: 'collectionIds',
      });
    out.push(c.id);
  }
  return out;
}

async function checkFilter(tx: Queryable, f: UpdateRuleFilter): Promise<void> {
  for (const id of f.sourceIds ?? [])
    if (!(await findSource(tx, id)))
      throw new InputError(E.UPDATE_RULE_INVALID, `no update source "${id}"`, {
        field: 'filter.sourceIds',
      });
}

/**
 * Automatic deployment rules (issue 10, ADR 0072): what a rule is, its history and the live
 * preview of its filter. Runs are the runner's (`run.ts`).
 */
export class UpdateRuleService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly catalog: UpdateCatalogService,
  ) {}

  get db(): Queryable {
    return this.ctx.db.kysely;
  }

  async mustFind(db: Queryable, idOrName: string): Promise<repo.RuleRow> {
    const row = await repo.findRule(db, idOrName);
    if (!row)
      throw new NotFoundError('automatic deployment rule', idOrName, E.UPDATE_RULE_NOT_FOUND);
    return row;
  }

  private async present(rows: repo.RuleRow[]): Promise<UpdateRule[]> {
    const runs = await repo.findRuns(
      this.ctx.db.kysely,
      rows.flatMap((r) => (r.last_run_id ? [r.last_run_id] : [])),
    );
    return rows.map((r) =>
      toRule(
        r,
        runs.find((x) => x.id === r.last_run_id),
      ),
    );
  }

  async list(actor: Actor): Promise<{ items: UpdateRule[]; total: number }> {
    authorize(actor, 'read');
    const items = await this.present(await repo.listRules(this.ctx.db.kysely));
    return { items, total: items.length };
  }

  async get(actor: Actor, idOrName: string): Promise<UpdateRule> {
    authorize(actor, 'read');
    const [rule] = await this.present([await this.mustFind(this.ctx.db.kysely, idOrName)]);
    if (!rule)
      throw new NotFoundError('automatic deployment rule', idOrName, E.UPDATE_RULE_NOT_FOUND);
    return rule;
  }

  async create(actor: Actor, body: UpdateRuleBody): Promise<UpdateRule> {
    authorize(actor, 'deployments:write');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    const mode = body.groupMode ?? 'existing-group';
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        if (await repo.findRule(tx, body.name)) throw nameTaken(body.name);
        await checkFilter(tx, body.filter);
        if (body.groupId !== undefined && mode === 'new-group')
          throw new InputError(
            E.UPDATE_RULE_INVALID,
            'a rule that makes a new group each run takes no group',
            { field: 'groupId' },
          );
        const group = body.groupId === undefined ? undefined : await findGroup(tx, body.groupId);
        if (body.groupId !== undefined && !group)
          throw new NotFoundError('update group', body.groupId, E.UPDATE_GROUP_NOT_FOUND);
        const collections = await resolveCollections(tx, body.collectionIds);
        const schedule = withSettingDefaults(UpdateRuleScheduleOptions, body);
        await repo.insertRule(tx, {
          id,
          name: body.name,
          description: body.description ?? '',
          filter: JSON.stringify(body.filter),
          group_mode: mode,
          group_id: group?.id ?? null,
          collection_ids: JSON.stringify(collections),
          phased: body.phased ? JSON.stringify(body.phased) : null,
          template: JSON.stringify(withSettingDefaults(UpdateRuleTemplateOptions, body)),
          run_after_sync: schedule.runAfterSync ? 1 : 0,
          interval_hours: schedule.intervalHours,
          enabled: schedule.enabled ? 1 : 0,
          created_at: at,
          created_by: actor.userName,
          updated_at: at,
          last_run_at: null,
          last_run_id: null,
          running_since: null,
        });
        await writeAudit(tx, actor, at, {
          action: 'update-rule.create',
          targetType: 'update-rule',
          targetId: id,
          details: { name: body.name, filter: body.filter, collections },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(body.name);
      throw err;
    }
    await this.changed();
    return this.get(actor, id);
  }

  async update(actor: Actor, idOrName: string, patch: UpdateRulePatch): Promise<UpdateRule> {
    authorize(actor, 'deployments:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    const at = nowIso(this.ctx);
    try {
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        if (patch.filter) await checkFilter(tx, patch.filter);
        const schedule = patchedSettings(UpdateRuleScheduleOptions, patch);
        const template = {
          ...templateOf(row),
          ...patchedSettings(UpdateRuleTemplateOptions, patch),
        };
        await repo.updateRule(tx, row.id, {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.filter !== undefined ? { filter: JSON.stringify(patch.filter) } : {}),
          ...(patch.collectionIds !== undefined
            ? { collection_ids: JSON.stringify(await resolveCollections(tx, patch.collectionIds)) }
            : {}),
          ...(patch.phased !== undefined
            ? { phased: patch.phased ? JSON.stringify(patch.phased) : null }
            : {}),
          ...(schedule.runAfterSync !== undefined
            ? { run_after_sync: schedule.runAfterSync ? 1 : 0 }
            : {}),
          ...(schedule.intervalHours !== undefined
            ? { interval_hours: schedule.intervalHours }
            : {}),
          ...(schedule.enabled !== undefined ? { enabled: schedule.enabled ? 1 : 0 } : {}),
          template: JSON.stringify(template),
          updated_at: at,
        });
        await writeAudit(tx, actor, at, {
          action: 'update-rule.update',
          targetType: 'update-rule',
          targetId: row.id,
          details: { name: row.name, changes: patch },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(patch.name);
      throw err;
    }
    await this.changed();
    return this.get(actor, row.id);
  }

  async remove(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'deployments:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await repo.deleteRule(tx, row.id);
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'update-rule.delete',
        targetType: 'update-rule',
        targetId: row.id,
        details: { name: row.name },
      });
    });
    await this.changed();
  }

  /**
   * Tells the leader's rule trigger (ADR 0072) to look again: a new, changed or removed
   * schedule, or a manual run ended (a sync may have finished while the rule was claimed).
   */
  async changed(): Promise<void> {
    await this.ctx.bus.publish('update-rules-changed', {});
  }

  async runs(
    actor: Actor,
    idOrName: string,
    page: { offset?: number; limit?: number },
  ): Promise<{ items: UpdateRuleRun[]; total: number }> {
    authorize(actor, 'read');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    const r = await repo.listRuns(this.ctx.db.kysely, row.id, {
      offset: page.offset ?? 0,
      limit: page.limit ?? 20,
    });
    return { items: r.rows.map(toRun), total: r.total };
  }

  /** What the filter matches now: the editor's live preview (what a run would consider). */
  async preview(actor: Actor, filter: UpdateRuleFilter): Promise<UpdateRulePreview> {
    authorize(actor, 'read');
    return this.catalog.matching(catalogFilter(filter, this.ctx.clock.now()), {
      offset: 0,
      limit: PREVIEW_LIMIT,
    });
  }
}
