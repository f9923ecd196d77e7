import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentTimelinePoint } from '@steward/protocol';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { countRows, ManualClock } from '../../test/support/collections.js';
import { registerDeploymentReportRoutes } from './report-routes.js';
import { snapshotDeploymentStates, thinSnapshots } from './timeline.js';
import {
  seedCollection,
  seedDeployment,
  seedDevices,
  seedProgram,
  setDeviceState,
  startTestApi,
  type TestApi,
} from '../../test/support/phased-deployments.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of timeline.int.test.ts are SKIPPED',
  );

describe.each(testDialects)('deployment timeline on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let api: TestApi;
    const clock = new ManualClock(new Date('2026-02-01T00:00:00.000Z'));

    beforeEach(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect, clock));
      const db = ctx.db.kysely;
      await seedDevices(db, ['d1', 'd2', 'd3']);
      const web = await seedCollection(db, 'web', ['d1', 'd2', 'd3']);
      const quiet = await seedCollection(db, 'quiet', []);
      const programId = await seedProgram(db, 'tool');
      await seedDeployment(db, { id: 'dep', programId, collectionId: web });
      await seedDeployment(db, { id: 'dep-quiet', programId, collectionId: quiet });
      api = await startTestApi(ctx, (app) => registerDeploymentReportRoutes(app, ctx));
    });
    afterEach(async () => {
      await api?.close();
      await cleanup?.();
    });

    const timeline = async (id: string) => {
      const res = await api.call('GET', `/deployments/${id}/timeline`);
      expect(res.status).toBe(200);
      return res.body as DeploymentTimelinePoint[];
    };

    it('snapshots only deployments whose counts changed and serves them oldest first', async () => {
      const db = ctx.db.kysely;
      const t0 = clock.now().toISOString();
      expect(await snapshotDeploymentStates(ctx)).toBe(2);
      clock.advanceMinutes(1);
      expect(await snapshotDeploymentStates(ctx)).toBe(0);

      await setDeviceState(db, 'dep', 'd1', 'received');
      await setDeviceState(db, 'dep', 'd2', 'running');
      clock.advanceMinutes(1);
      const t2 = clock.now().toISOString();
      expect(await snapshotDeploymentStates(ctx)).toBe(1);

      await setDeviceState(db, 'dep', 'd2', 'succeeded');
      clock.advanceMinutes(1);
      const t3 = clock.now().toISOString();

      const points = await timeline('dep');
      expect(points.map((p) => p.at)).toEqual([t0, t2, t3]);
      expect(points[0]?.counts).toMatchObject({ targeted: 3, received: 0, running: 0 });
      expect(points[1]?.counts).toMatchObject({ targeted: 1, received: 1, running: 1 });
      // The last point is now, not a snapshot: the chart ends at the current counts.
      expect(points[2]?.counts).toMatchObject({ targeted: 1, received: 1, succeeded: 1 });
      expect(await countRows(db, 'deployment_state_snapshot')).toBe(3);

      expect((await timeline('dep-quiet')).map((p) => p.counts.targeted)).toEqual([0, 0]);
    });

    it('thins the older half once a deployment passes its maximum, keeping the oldest point', async () => {
      const db = ctx.db.kysely;
      const start = Date.parse('2026-01-01T00:00:00.000Z');
      const at = (i: number) => new Date(start + i * 1000).toISOString();
      const rows = Array.from({ length: 120 }, (_, i) => ({
        deployment_id: 'dep',
        at: at(i),
        counts: JSON.stringify({ succeeded: i }),
      }));
      for (let i = 0; i < rows.length; i += 50)
        await db
          .insertInto('deployment_state_snapshot')
          .values(rows.slice(i, i + 50))
          .execute();

      await thinSnapshots(db, 'dep', 200);
      expect(await countRows(db, 'deployment_state_snapshot')).toBe(120);

      await thinSnapshots(db, 'dep', 100);
      const left = await db
        .selectFrom('deployment_state_snapshot')
        .select('at')
        .where('deployment_id', '=', 'dep')
        .orderBy('at')
        .execute();
      // 50 newest kept whole; of the 70 older ones every second went.
      expect(left).toHaveLength(85);
      expect(left[0]?.at).toBe(at(0));
      expect(left[1]?.at).toBe(at(2));
      expect(left.slice(-50).map((r) => r.at)).toEqual(rows.slice(-50).map((r) => r.at));
    });

    it('answers 404 for an unknown deployment', async () => {
      expect(await api.call('GET', '/deployments/nope/timeline')).toMatchObject({
        status: 404,
        body: { code: 'DEPLOYMENT_NOT_FOUND' },
      });
    });
  });
});
