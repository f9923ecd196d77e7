import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { SYSTEM_ACTOR } from '../context.js';
import { SiteSettingsService } from '../site/site-settings.js';
import { raiseSiteStatus } from './site-status.js';
import { expireStatusMessages } from './retention.js';
import { deleteStatusMessagesBefore } from './repository.js';

const hasPg = await postgresReachable();
const DAY = 86400_000;

describe.each(testDialects)('status-message retention on %s', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  let now = Date.parse('2026-06-01T00:00:00.000Z');
  beforeEach(async () => {
    now = Date.parse('2026-06-01T00:00:00.000Z');
    if (!skip) ({ ctx, cleanup } = await createTestContext(dialect, { now: () => new Date(now) }));
  });
  afterEach(async () => {
    if (!skip) await cleanup();
  });

  const count = async () =>
    Number(
      (
        await ctx.db.kysely
          .selectFrom('status_message')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** `n` messages raised `daysAgo` days before the test's "now". */
  async function raiseAt(daysAgo: number, n: number): Promise<void> {
    const saved = now;
    now = saved - daysAgo * DAY;
    for (let i = 0; i < n; i++)
      await raiseSiteStatus(ctx, {
        message: 'SITE_SERVER_STARTED',
        insertionStrings: ['mp', `${i}`],
      });
    now = saved;
  }

  it.skipIf(skip)(
    'deletes messages older than the cut-off in batches, keeps the rest',
    async () => {
      await raiseAt(200, 7);
      await raiseAt(10, 3);
      const deleted = await deleteStatusMessagesBefore(ctx.db.kysely, {
        before: new Date(now - 90 * DAY).toISOString(),
        batchSize: 2,
      });
      expect(deleted).toBe(7);
      expect(await count()).toBe(3);
    },
  );

  it.skipIf(skip)('the job follows the site setting (90 days by default)', async () => {
    const settings = new SiteSettingsService(ctx);
    await settings.start();
    try {
      expect((await settings.get(SYSTEM_ACTOR)).statusMessageRetentionDays).toBe(90);
      await raiseAt(100, 2);
      await raiseAt(20, 2);
      expect(await expireStatusMessages(ctx)).toBe(2);
      expect(await count()).toBe(2);
      await settings.update(SYSTEM_ACTOR, { statusMessageRetentionDays: 10 });
      expect(await expireStatusMessages(ctx)).toBe(2);
      expect(await count()).toBe(0);
    } finally {
      await settings.update(SYSTEM_ACTOR, { statusMessageRetentionDays: 90 });
      settings.stop();
    }
  });
});
