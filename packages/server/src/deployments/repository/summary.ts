import { sql } from 'kysely';
import { memberships } from '../../collections/membership-repository.js';
import type { SummaryFields } from '../summary.js';
import type { Queryable } from '../../db/database.js';

/** One (deployment, state) group of reported states, with its count and its late runs. */
export interface StateCountRow {
  deployment_id: string;
  state: string;
  n: number | string | bigint;
  overdue: number;
}

/**
 * Reported states of these deployments grouped by state, joined to the current members (a
 * device that left the collection no longer counts), with the runs later than each
 * deployment's cutoff counted in the same pass.
 */
export async function stateCounts(
  db: Queryable,
  opts: { deployments: readonly { id: string; cutoff: string | undefined }[] },
): Promise<StateCountRow[]> {
  const late = opts.deployments.flatMap((d) =>
    d.cutoff === undefined
      ? []
      : [sql`(s.deployment_id = ${d.id} and s.last_run_at < ${d.cutoff})`],
  );
  const overdue =
    late.length === 0
      ? sql<number>`0`
      : sql<number>`sum(case when ${sql.join(late, sql` or `)} then 1 else 0 end)`;
  return db
    .selectFrom('deployment_device_state as s')
    .innerJoin('deployment as d', 'd.id', 's.deployment_id')
    .innerJoin(memberships(db).as('m'), (j) =>
      j.onRef('m.device_id', '=', 's.device_id').onRef('m.collection_id', '=', 'd.collection_id'),
    )
    .select(['s.deployment_id', 's.state', overdue.as('overdue')])
    .select((eb) => eb.fn.countAll().as('n'))
    .where(
      's.deployment_id',
      'in',
      opts.deployments.map((d) => d.id),
    )
    .groupBy(['s.deployment_id', 's.state'])
    .execute();
}

/** What a summary needs of each deployment (`SummaryFields`). */
export const SUMMARY_COLUMNS = [
  'id',
  'collection_id',
  'purpose',
  'enabled',
  'triggers',
  'expires_at',
  'time_base',
] as const;

/** The fields a summary needs of one deployment. */
export function findSummaryFields(db: Queryable, id: string): Promise<SummaryFields | undefined> {
  return db
    .selectFrom('deployment')
    .select(SUMMARY_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The fields a summary needs of every deployment, by id (the summarizer walks them in chunks). */
export function listSummaryFields(db: Queryable): Promise<SummaryFields[]> {
  return db.selectFrom('deployment').select(SUMMARY_COLUMNS).orderBy('id').execute();
}
