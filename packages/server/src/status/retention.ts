import type { SiteContext } from '../context.js';
import { statusMessageRetentionDays } from '../site/site-settings.js';
import { deleteStatusMessagesBefore } from './repository.js';

/** The retention job: status messages older than the site setting (90 days by default) go. */
export async function expireStatusMessages(ctx: SiteContext): Promise<number> {
  const days = statusMessageRetentionDays();
  const before = new Date(ctx.clock.now().getTime() - days * 86400_000).toISOString();
  const deleted = await deleteStatusMessagesBefore(ctx.db.kysely, { before });
  if (deleted > 0) ctx.log.info({ deleted, before, days }, 'old status messages deleted');
  return deleted;
}
