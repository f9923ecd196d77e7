import { sql } from 'kysely';
import type { Queryable } from '../../db/database.js';
import { memberships } from '../../collections/membership-repository.js';
import { deviceNames } from '../../devices/repository.js';
import type { SummaryFields } from '../summary.js';
import { SUMMARY_COLUMNS } from './summary.js';

/** Every deployment with what its summary needs and its name, newest first. */
export function listReportDeployments(
  db: Queryable,
): Promise<(SummaryFields & { name: string })[]> {
  return db
    .selectFrom('deployment')
    .select(SUMMARY_COLUMNS)
    .select('name')
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/** A deployment by id, or every deployment of that name (names are not unique). */
export async function deploymentIdsFor(
  db: Queryable,
  opts: { idOrName: string },
): Promise<string[]> {
  const byId = await db
    .selectFrom('deployment')
    .select('id')
    .where('id', '=', opts.idOrName)
    .execute();
  const rows =
    byId.length > 0
      ? byId
      : await db.selectFrom('deployment').select('id').where('name', '=', opts.idOrName).execute();
  return rows.map((r) => r.id);
}

/**
 * Devices whose newest state of a deployment (of these, or of any) is `failed`, newest run first,
 * limited to the members of the deployment's collection.
 */
export function failedStates(
  db: Queryable,
  opts: { deploymentIds: readonly string[] | undefined; limit: number },
) {
  let query = db
    .selectFrom('deployment_device_state as s')
    .innerJoin('deployment as d', 'd.id', 's.deployment_id')
    .innerJoin(deviceNames(db).as('dv'), 'dv.id', 's.device_id')
    .innerJoin(memberships(db).as('m'), (j) =>
      j.onRef('m.collection_id', '=', 'd.collection_id').onRef('m.device_id', '=', 's.device_id'),
    )
    .select([
      's.deployment_id',
      'd.name as deployment_name',
      's.device_id',
      'dv.name as hostname',
      's.exit_code',
      's.reason_code',
      's.reason',
      's.output_tail',
      's.last_run_at',
    ])
    .where('s.state', '=', 'failed');
  if (opts.deploymentIds !== undefined)
    query = query.where('s.deployment_id', 'in', [...opts.deploymentIds]);
  return (
    query
      // Newest first on both dialects (they order NULLs differently): a failure without a
      // recorded run (e.g. HASH_MISMATCH before running) sorts by when it was reported.
      .orderBy(sql`coalesce(s.last_run_at, s.state_at)`, 'desc')
      .orderBy('s.deployment_id')
      .orderBy('dv.name')
      .limit(opts.limit)
      .execute()
  );
}
