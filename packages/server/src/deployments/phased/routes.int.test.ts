import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhasedDeployment } from '@steward/protocol';
import { createTestContext, postgresReachable, testDialects } from '../../../test/support/db.js';
import type { SiteContext } from '../../context.js';
import { ActivityRecorder } from '../../agent-api/activity.js';
import { PushHub } from '../../push/push-hub.js';
import { DeploymentNotifier } from '../notify.js';
import { DeploymentService } from '../service.js';
import { registerPhasedDeploymentRoutes } from './routes.js';
import { PhasedDeploymentService } from './service.js';
import {
  seedCollection,
  seedDevices,
  seedProgram,
  startTestApi,
  type TestApi,
} from '../../../test/support/phased-deployments.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of phased routes.int.test.ts are SKIPPED',
  );

describe.each(testDialects)('phased deployment routes on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let api: TestApi;
    let programId = '';

    beforeAll(async () => {
      ({ ctx, cleanup } = await createTestContext(dialect));
      const db = ctx.db.kysely;
      await seedDevices(db, ['d1', 'd2']);
      await seedCollection(db, 'canary', ['d1']);
      await seedCollection(db, 'rest', ['d2']);
      programId = await seedProgram(db, 'app');
      const deployments = new DeploymentService(
        ctx,
        new DeploymentNotifier(ctx, new PushHub(ctx, new ActivityRecorder(ctx))),
      );
      const service = new PhasedDeploymentService(ctx, deployments);
      api = await startTestApi(ctx, (app) => registerPhasedDeploymentRoutes(app, service));
    });
    afterAll(async () => {
      await api?.close();
      await cleanup?.();
    });

    it('creates, lists, reads, halts and resumes a rollout', async () => {
      const created = await api.call('POST', '/phased-deployments', {
        name: 'Browser',
        programId,
        haltOnFailurePercent: 10,
        phases: [
          { collectionId: 'canary', successPercent: 100, soakMinutes: 60 },
          { collectionId: 'rest', successPercent: 90, soakMinutes: 0 },
        ],
        deployment: { rerun: 'if-failed', maxPostponeMinutes: 30 },
      });
      expect(created).toMatchObject({
        status: 201,
        body: {
          name: 'Browser',
          programName: 'install',
          packageId: 'pkg-app',
          state: 'running',
          currentPhase: 0,
          phases: [
            { index: 0, collectionName: 'canary', state: 'running', summary: { targeted: 1 } },
            { index: 1, collectionName: 'rest', state: 'waiting', summary: null },
          ],
        },
      });
      const id = (created.body as PhasedDeployment).id;
      expect((await api.call('GET', '/phased-deployments')).body).toEqual([
        expect.objectContaining({ id }),
      ]);
      expect(await api.call('GET', `/phased-deployments/${id}`)).toMatchObject({
        status: 200,
        body: { id },
      });

      expect(
        await api.call('POST', `/phased-deployments/${id}/halt`, { reason: 'wait for Monday' }),
      ).toMatchObject({ status: 200, body: { state: 'halted', haltReason: 'wait for Monday' } });
      expect(await api.call('POST', `/phased-deployments/${id}/resume`)).toMatchObject({
        status: 200,
        body: { state: 'running', haltReason: null },
      });
      // The API client sends {} without a reason; a bare POST works too.
      expect(await api.call('POST', `/phased-deployments/${id}/halt`, {})).toMatchObject({
        status: 200,
        body: { haltReason: 'halted by admin' },
      });
      await api.call('POST', `/phased-deployments/${id}/resume`);
      expect(await api.call('POST', `/phased-deployments/${id}/halt`)).toMatchObject({
        status: 200,
        body: { state: 'halted' },
      });
      expect(await api.call('POST', `/phased-deployments/${id}/halt`, {})).toMatchObject({
        status: 409,
        body: { code: 'PHASED_DEPLOYMENT_NOT_RUNNING' },
      });
    });

    it('answers with stable codes', async () => {
      expect(await api.call('GET', '/phased-deployments/nope')).toMatchObject({
        status: 404,
        body: { code: 'PHASED_DEPLOYMENT_NOT_FOUND' },
      });
      expect(
        await api.call('POST', '/phased-deployments', {
          name: 'Empty',
          programId,
          haltOnFailurePercent: 10,
          phases: [],
        }),
      ).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT' } });
      expect(
        await api.call('POST', '/phased-deployments', {
          name: 'Twice',
          programId,
          haltOnFailurePercent: 10,
          phases: [
            { collectionId: 'canary', successPercent: 100, soakMinutes: 0 },
            { collectionId: 'canary', successPercent: 100, soakMinutes: 0 },
          ],
        }),
      ).toMatchObject({ status: 400, body: { code: 'INVALID_PHASES' } });
    });
  });
});
