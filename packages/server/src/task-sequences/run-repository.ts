import type { Insertable } from 'kysely';
import type { Database } from '../db/tables/index.js';
import type { Queryable } from '../db/database.js';

/** SQL of the runs the site keeps from the engines' status messages (ADR 0017, ADR 0084). */

type RunRow = Insertable<Database['task_sequence_run']>;

export async function deploymentExists(db: Queryable, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('task_sequence_deployment')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/** The stored progress JSON of one device's run, if it has one. */
export async function runProgressText(
  db: Queryable,
  deploymentId: string,
  deviceId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('task_sequence_run')
    .select('progress')
    .where('deployment_id', '=', deploymentId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return row?.progress;
}

export async function upsertRun(db: Queryable, row: RunRow): Promise<void> {
  const { deployment_id: _d, device_id: _v, ...fields } = row;
  await db
    .insertInto('task_sequence_run')
    .values(row)
    .onConflict((oc) => oc.columns(['deployment_id', 'device_id']).doUpdateSet(fields))
    .execute();
}
