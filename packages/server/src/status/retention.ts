import type { Kysely } from 'kysely';
import type { Database } from '../db/tables/index.js';
import type { SiteContext } from '../context.js';
import { statusMessageRetentionDays } from '../site/site-settings.js';

const BATCH = 5_000;

/**
 * Deletes status messages older than `before` (ISO time, compared with `at`, which is indexed),
 * a batch at a time so neither dialect holds a long lock or a huge transaction. Returns how many.
 */
export async function deleteStatusMessagesBefore(
  db: Kysely<Database>,
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

/** The retention job: status messages older than the site setting (90 days by default) go. */
export async function expireStatusMessages(ctx: SiteContext): Promise<number> {
  const days = statusMessageRetentionDays();
  const before = new Date(ctx.clock.now().getTime() - days * 86400_000).toISOString();
  const deleted = await deleteStatusMessagesBefore(ctx.db.kysely, { before });
  if (deleted > 0) ctx.log.info({ deleted, before, days }, 'old status messages deleted');
  return deleted;
}
