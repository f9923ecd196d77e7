import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { inWriteTransaction } from './group-commit.js';

const hasPg = await postgresReachable();

describe.each(testDialects)('write transactions on %s', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    if (!skip) ({ ctx, cleanup } = await createTestContext(dialect));
  });
  afterEach(async () => {
    if (!skip) await cleanup();
  });

  it.skipIf(skip)(
    'commits concurrent jobs together, and a failing job rolls back alone',
    async () => {
      const jobs = Array.from({ length: 40 }, (_, i) =>
        inWriteTransaction(ctx.db, async (tx) => {
          await tx
            .insertInto('site_setting')
            .values({ key: `k${i}`, value: String(i) })
            .execute();
          if (i % 7 === 3) throw new Error(`job ${i} fails after writing`);
          return i;
        }),
      );
      const results = await Promise.allSettled(jobs);
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      expect(failed).toEqual([3, 10, 17, 24, 31, 38]);
      const rows = await ctx.db.kysely
        .selectFrom('site_setting')
        .select('key')
        .where('key', 'like', 'k%')
        .execute();
      const stored = rows.map((r) => Number(r.key.slice(1))).sort((a, b) => a - b);
      expect(stored).toEqual(
        Array.from({ length: 40 }, (_, i) => i).filter((i) => !failed.includes(i)),
      );
      for (const [i, r] of results.entries()) if (r.status === 'fulfilled') expect(r.value).toBe(i);
    },
  );
});
