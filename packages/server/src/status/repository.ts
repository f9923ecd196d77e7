import { sql, type Insertable, type Selectable } from 'kysely';
import type { ListStatusMessagesQuery } from '@steward/protocol';
import type { StatusMessageTable } from '../db/tables/index.js';
import type { Queryable } from '../db/database.js';

export type StatusMessageRow = Selectable<StatusMessageTable>;

/** Stores one status message the site raises itself. */
export async function insertStatusMessage(
  db: Queryable,
  row: Insertable<StatusMessageTable>,
): Promise<void> {
  await db.insertInto('status_message').values(row).execute();
}

/**
 * Stores a device's status messages; one re-sent after a lost acknowledgement (same device and
 * sequence number) is already stored and skipped.
 */
export async function insertDeviceStatusMessages(
  db: Queryable,
  rows: readonly Insertable<StatusMessageTable>[],
): Promise<void> {
  await db
    .insertInto('status_message')
    .values(rows)
    .onConflict((oc) => oc.columns(['device_id', 'device_seq']).doNothing())
    .execute();
}

/**
 * One page of the status-message viewer, newest first: backwards from `before`, or (tailing)
 * the `limit` oldest after `after`, returned newest first too.
 */
export async function listStatusMessageRows(
  db: Queryable,
  q: Omit<ListStatusMessagesQuery, 'limit'> & { limit: number },
): Promise<StatusMessageRow[]> {
  let query = db.selectFrom('status_message').selectAll();
  if (q.deviceId) query = query.where('device_id', '=', q.deviceId);
  if (q.component) query = query.where('component', '=', q.component);
  if (q.messageId) query = query.where('message_id', '=', q.messageId);
  if (q.severity) query = query.where('severity', '=', q.severity);
  if (q.since) query = query.where('at', '>=', new Date(q.since).toISOString());
  if (q.until) query = query.where('at', '<=', new Date(q.until).toISOString());
  if (q.before) query = query.where(sql<boolean>`id < ${Number(q.before)}`);
  if (q.after)
    return (
      await query
        .where(sql<boolean>`id > ${Number(q.after)}`)
        .orderBy('id', 'asc')
        .limit(q.limit)
        .execute()
    ).reverse();
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

const BATCH = 5_000;

/**
 * Deletes status messages older than `before` (ISO time, compared with `at`, which is indexed),
 * a batch at a time so neither dialect holds a long lock or a huge transaction. Returns how many.
 */
export async function deleteStatusMessagesBefore(
  db: Queryable,
  opts: { before: string; batchSize?: number },
): Promise<number> {
  const batchSize = opts.batchSize ?? BATCH;
  let total = 0;
  for (;;) {
    const r = await db
      .deleteFrom('status_message')
      .where('id', 'in', (eb) =>
        eb.selectFrom('status_message').select('id').where('at', '<', opts.before).limit(batchSize),
      )
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    total += n;
    if (n < batchSize) return total;
  }
}

/** A device's newest messages of one id (a run's upgrade reports), newest first. */
export async function deviceMessagesOfId(
  db: Queryable,
  opts: { deviceId: string; messageId: number; limit: number },
): Promise<StatusMessageRow[]> {
  return db
    .selectFrom('status_message')
    .selectAll()
    .where('device_id', '=', opts.deviceId)
    .where('message_id', '=', opts.messageId)
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
}
