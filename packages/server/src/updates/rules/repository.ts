import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../../db/tables/index.js';
import { toNumber, type Queryable } from '../../db/database.js';
import { checkRow } from '../../db/corrupt-row.js';

/** Automatic deployment rules' SQL (ADR 0072): rules, their runs, rollups. */

type RuleTable = Database['update_rule'];
type RunTable = Database['update_rule_run'];
export type RuleRow = Selectable<RuleTable> & { group_name: string | null };
export type RunRow = Selectable<RunTable>;

function selectRules(db: Queryable) {
  return db
    .selectFrom('update_rule as r')
    .leftJoin('update_group as g', 'g.id', 'r.group_id')
    .selectAll('r')
    .select('g.name as group_name');
}

const checked = (r: RuleRow): RuleRow => ({
  ...checkRow('update_rule', r.id, r),
  group_name: r.group_name,
});

export async function listRules(db: Queryable): Promise<RuleRow[]> {
  return (await selectRules(db).orderBy('r.name').execute()).map(checked);
}

export async function findRule(db: Queryable, idOrName: string): Promise<RuleRow | undefined> {
  const r =
    (await selectRules(db).where('r.id', '=', idOrName).executeTakeFirst()) ??
    (await selectRules(db).where('r.name', '=', idOrName).executeTakeFirst());
  return r ? checked(r) : undefined;
}

export async function insertRule(db: Queryable, row: Insertable<RuleTable>): Promise<void> {
  await db.insertInto('update_rule').values(row).execute();
}

export async function updateRule(
  db: Queryable,
  id: string,
  set: Updateable<RuleTable>,
): Promise<void> {
  await db.updateTable('update_rule').set(set).where('id', '=', id).execute();
}

export async function deleteRule(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('update_rule').where('id', '=', id).execute();
}

/**
 * Claims a rule for one run: false when another run holds it (a run whose process died is
 * taken over once `staleBefore` has passed).
 */
export async function claimRule(
  db: Queryable,
  id: string,
  at: string,
  staleBefore: string,
): Promise<boolean> {
  const r = await db
    .updateTable('update_rule')
    .set({ running_since: at, last_run_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('running_since', 'is', null), eb('running_since', '<', staleBefore)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertRun(db: Queryable, row: Insertable<RunTable>): Promise<void> {
  await db.insertInto('update_rule_run').values(row).execute();
  await db
    .updateTable('update_rule')
    .set({ last_run_id: row.id, running_since: null })
    .where('id', '=', row.rule_id)
    .execute();
}

export async function findRuns(db: Queryable, ids: readonly string[]): Promise<RunRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('update_rule_run')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  return rows.map((r) => checkRow('update_rule_run', r.id, r));
}

export async function listRuns(
  db: Queryable,
  ruleId: string,
  page: { offset: number; limit: number },
): Promise<{ rows: RunRow[]; total: number }> {
  const q = db.selectFrom('update_rule_run').where('rule_id', '=', ruleId);
  const total = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await q
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return {
    rows: rows.map((r) => checkRow('update_rule_run', r.id, r)),
    total: toNumber(total?.n),
  };
}

/** Update groups earlier runs of the rule filled (what "new" is measured against). */
export async function groupsOfRuns(db: Queryable, ruleId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('update_rule_run')
    .select('group_id')
    .distinct()
    .where('rule_id', '=', ruleId)
    .where('group_id', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.group_id === null ? [] : [r.group_id]));
}

/** The update deployments of this group that still exist, with their collection. */
export async function deploymentsOfGroup(
  db: Queryable,
  groupId: string,
): Promise<{ id: string; deployment_id: string; collection_id: string }[]> {
  return db
    .selectFrom('update_deployment as ud')
    .innerJoin('deployment as d', 'd.id', 'ud.deployment_id')
    .select(['ud.id', 'ud.deployment_id', 'd.collection_id'])
    .where('ud.group_id', '=', groupId)
    .execute();
}

/** The rule and group behind a phased deployment a rule started (its phases attach updates). */
export async function ruleOfRollout(
  db: Queryable,
  phasedDeploymentId: string,
): Promise<{ template: string; group_id: string | null } | undefined> {
  return db
    .selectFrom('update_rule_run as run')
    .innerJoin('update_rule as r', 'r.id', 'run.rule_id')
    .select(['r.template', 'run.group_id'])
    .where('run.phased_deployment_id', '=', phasedDeploymentId)
    .executeTakeFirst();
}

/**
 * Enabled rules due now: after-sync rules when a sync that added updates finished after their
 * last run (of one of their sources, or any source when they name none; checked by the
 * caller), and interval rules whose interval has passed.
 */
export async function enabledRules(db: Queryable): Promise<RuleRow[]> {
  // Oldest first: a pass runs them in the order they were made, the same on both dialects.
  return (
    await selectRules(db)
      .where('r.enabled', '=', 1)
      .orderBy('r.created_at')
      .orderBy('r.id')
      .execute()
  ).map(checked);
}

/** Sources with a sync that added updates and finished after `since` (all such when null). */
export async function sourcesSyncedSince(db: Queryable, since: string | null): Promise<string[]> {
  let q = db
    .selectFrom('update_sync')
    .select('source_id')
    .distinct()
    .where('state', '=', 'succeeded')
    .where('added', '>', 0);
  if (since !== null) q = q.where('finished_at', '>', since);
  return (await q.execute()).map((r) => r.source_id);
}

// ---- rollups ----

export async function rollupRows(
  db: Queryable,
): Promise<
  { source_id: string; group_id: string; refreshed_at: string; group_name: string | null }[]
> {
  return db
    .selectFrom('update_rollup as r')
    .leftJoin('update_group as g', 'g.id', 'r.group_id')
    .select(['r.source_id', 'r.group_id', 'r.refreshed_at', 'g.name as group_name'])
    .execute();
}

export async function saveRollup(
  db: Queryable,
  row: { source_id: string; group_id: string; refreshed_at: string },
): Promise<void> {
  await db.deleteFrom('update_rollup').where('source_id', '=', row.source_id).execute();
  await db.insertInto('update_rollup').values(row).execute();
}

/**
 * A source's rollup set: its current updates (not superseded) that apply to the fleet, i.e.
 * some inventoried package set holds one of their binaries (installed or required, ADR 0047),
 * or a device's scan reports them installed or required.
 * One per source package: the latest, as a source holds one current version of each.
 */
export async function latestApplicable(db: Queryable, sourceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('software_update as u')
    .select('u.id')
    .where('u.source_id', '=', sourceId)
    .where('u.superseded_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('update_applicability as a')
            .select(sql<number>`1`.as('one'))
            .whereRef('a.update_id', '=', 'u.id'),
        ),
        // A device's own scan says so too (it agrees with the site's answer, ADR 0047).
        eb.exists(
          eb
            .selectFrom('update_compliance as c')
            .select(sql<number>`1`.as('one'))
            .whereRef('c.update_id', '=', 'u.id')
            .where('c.state', 'in', ['required', 'installed']),
        ),
      ]),
    )
    .orderBy('u.package')
    .execute();
  return rows.map((r) => r.id);
}

export async function setRunDeployments(
  db: Queryable,
  runId: string,
  updateDeploymentIds: readonly string[],
): Promise<void> {
  await db
    .updateTable('update_rule_run')
    .set({ deployment_ids: JSON.stringify(updateDeploymentIds) })
    .where('id', '=', runId)
    .execute();
}

/** Updates that update deployments of these groups deploy (removed ones too: they were handled). */
export async function deployedUpdateIds(
  db: Queryable,
  groupIds: readonly string[],
): Promise<Set<string>> {
  if (groupIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('update_deployment_update as m')
    .innerJoin('update_deployment as ud', 'ud.id', 'm.update_deployment_id')
    .select('m.update_id')
    .distinct()
    .where('ud.group_id', 'in', [...groupIds])
    .execute();
  return new Set(rows.map((r) => r.update_id));
}
