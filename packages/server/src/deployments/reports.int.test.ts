import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import type { SiteContext } from '../context.js';
import { registerDeploymentReportRoutes } from './report-routes.js';
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
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of reports.int.test.ts are SKIPPED',
  );

describe.each(testDialects)('deployment reports on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let api: TestApi;

    beforeAll(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect));
      const db = ctx.db.kysely;
      await seedDevices(db, ['d1', 'd2', 'd3', 'd4']);
      const web = await seedCollection(db, 'web', ['d1', 'd2', 'd3']);
      const dbs = await seedCollection(db, 'databases', ['d4']);
      const programId = await seedProgram(db, 'agent-upgrade');
      await seedDeployment(db, {
        id: 'dep-web',
        name: 'Upgrade web',
        programId,
        collectionId: web,
        createdAt: '2026-01-02T00:00:00.000Z',
      });
      await seedDeployment(db, {
        id: 'dep-db',
        name: 'Upgrade databases',
        programId,
        collectionId: dbs,
        createdAt: '2026-01-03T00:00:00.000Z',
      });
      await setDeviceState(db, 'dep-web', 'd1', 'succeeded', {
        exitCode: 0,
        lastRunAt: '2026-01-02T10:00:00.000Z',
      });
      await setDeviceState(db, 'dep-web', 'd2', 'failed', {
        exitCode: 3,
        reasonCode: 'EXIT_CODE',
        reason: 'exit code 3 is not a success code',
        outputTail: 'E: disk full\n',
        lastRunAt: '2026-01-02T11:00:00.000Z',
      });
      await setDeviceState(db, 'dep-web', 'd3', 'running');
      // d4 left the web collection after failing: it is no longer targeted, so not reported.
      await setDeviceState(db, 'dep-web', 'd4', 'failed', {
        exitCode: 1,
        lastRunAt: '2026-01-02T12:00:00.000Z',
      });
      // Failed before running (no run time): ordered by when it was reported.
      await setDeviceState(db, 'dep-db', 'd4', 'failed', {
        reasonCode: 'HASH_MISMATCH',
        reason: 'content failed its hash',
        at: '2026-01-02T09:00:00.000Z',
      });
      api = await startTestApi(ctx, (app) => registerDeploymentReportRoutes(app, ctx));
    });
    afterAll(async () => {
      await api?.close();
      await cleanup?.();
    });

    it('summarises every deployment with its name, newest first', async () => {
      const res = await api.call('GET', '/reports/deployment-summary');
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        expect.objectContaining({
          deploymentId: 'dep-db',
          deploymentName: 'Upgrade databases',
          targeted: 1,
          failurePercent: 100,
          successPercent: 0,
        }),
        expect.objectContaining({
          deploymentId: 'dep-web',
          deploymentName: 'Upgrade web',
          targeted: 3,
          counts: expect.objectContaining({ succeeded: 1, failed: 1, running: 1, targeted: 0 }),
        }),
      ]);
      const web = (res.body as { deploymentId: string; successPercent: number }[])[1];
      expect(web?.successPercent).toBeCloseTo(100 / 3);
    });

    it('lists the failed devices of the targeted ones with their errors, newest first', async () => {
      const res = await api.call('GET', '/reports/deployment-failures');
      expect(res).toEqual({
        status: 200,
        body: [
          {
            deploymentId: 'dep-web',
            deploymentName: 'Upgrade web',
            deviceId: 'd2',
            hostname: 'host-d2',
            exitCode: 3,
            reasonCode: 'EXIT_CODE',
            reason: 'exit code 3 is not a success code',
            outputTail: 'E: disk full\n',
            lastRunAt: '2026-01-02T11:00:00.000Z',
          },
          {
            deploymentId: 'dep-db',
            deploymentName: 'Upgrade databases',
            deviceId: 'd4',
            hostname: 'host-d4',
            exitCode: null,
            reasonCode: 'HASH_MISMATCH',
            reason: 'content failed its hash',
            outputTail: null,
            lastRunAt: null,
          },
        ],
      });
    });

    it('filters by deployment id or name and limits', async () => {
      const byId = await api.call('GET', '/reports/deployment-failures?deployment=dep-db');
      expect((byId.body as { deviceId: string }[]).map((r) => r.deviceId)).toEqual(['d4']);
      const byName = await api.call(
        'GET',
        `/reports/deployment-failures?deployment=${encodeURIComponent('Upgrade web')}`,
      );
      expect((byName.body as { deviceId: string }[]).map((r) => r.deviceId)).toEqual(['d2']);
      const limited = await api.call('GET', '/reports/deployment-failures?limit=1');
      expect(limited.body).toHaveLength(1);
    });

    it('refuses an unknown deployment and a bad limit with stable codes', async () => {
      expect(await api.call('GET', '/reports/deployment-failures?deployment=nope')).toMatchObject({
        status: 404,
        body: { code: 'DEPLOYMENT_NOT_FOUND' },
      });
      expect(await api.call('GET', '/reports/deployment-failures?limit=0')).toMatchObject({
        status: 400,
        body: { code: 'INVALID_INPUT' },
      });
    });
  });
});
