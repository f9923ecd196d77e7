import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreatePhasedDeploymentRequest, PhasedDeployment } from '@steward/protocol';
import { createTestContext, postgresReachable, testDialects } from '../../../test/support/db.js';
import type { SiteContext } from '../../context.js';
import { parseJsonColumn } from '../../db/database.js';
import { ADMIN, ANALYST, countRows, ManualClock } from '../../../test/support/collections.js';
import { ActivityRecorder } from '../../agent-api/activity.js';
import { PushHub } from '../../push/push-hub.js';
import { DeploymentNotifier } from '../notify.js';
import { DeploymentService } from '../service.js';
import { advancePhasedDeployments } from './advance.js';
import { PhasedDeploymentService } from './service.js';
import {
  seedCollection,
  seedDevices,
  seedProgram,
  setDeviceState,
} from '../../../test/support/phased-deployments.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL on 127.0.0.1:5432 is unreachable: the postgres cases of phased.int.test.ts are SKIPPED',
  );

const T0 = '2026-03-01T00:00:00.000Z';

describe.each(testDialects)('phased deployments on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let clock: ManualClock;
    let deployments: DeploymentService;
    let service: PhasedDeploymentService;
    let programId: string;
    let bare: string;
    let changedCollections: string[];
    const col: Record<'A' | 'B' | 'C' | 'Empty', string> = { A: '', B: '', C: '', Empty: '' };

    beforeEach(async () => {
      clock = new ManualClock(new Date(T0));
      ({ ctx, cleanup } = await createTestContext(dialect, clock));
      const db = ctx.db.kysely;
      await seedDevices(db, ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9']);
      col.A = await seedCollection(db, 'A', ['d1', 'd2']);
      col.B = await seedCollection(db, 'B', ['d3', 'd4', 'd5']);
      col.C = await seedCollection(db, 'C', ['d6', 'd7', 'd8', 'd9']);
      col.Empty = await seedCollection(db, 'Empty', []);
      programId = await seedProgram(db, 'app');
      bare = await seedProgram(db, 'no-content', { withContent: false });
      const push = new PushHub(ctx, new ActivityRecorder(ctx));
      deployments = new DeploymentService(ctx, new DeploymentNotifier(ctx, push));
      service = new PhasedDeploymentService(ctx, deployments);
      changedCollections = [];
      ctx.bus.subscribe('deployments-changed', ({ collectionIds }) =>
        changedCollections.push(...(collectionIds ?? [])),
      );
    });
    afterEach(async () => cleanup?.());

    const advance = () => advancePhasedDeployments(ctx, deployments);
    const get = (id: string) => service.get(ADMIN, id);
    const phaseDeployment = async (pd: PhasedDeployment, idx: number) => {
      const id = pd.phases[idx]?.deploymentId;
      if (!id) throw new Error(`phase ${idx + 1} has no deployment`);
      return ctx.db.kysely
        .selectFrom('deployment')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    };
    const statuses = (messageId: number) =>
      ctx.db.kysely
        .selectFrom('status_message')
        .select('insertion_strings')
        .where('message_id', '=', messageId)
        .orderBy('id')
        .execute()
        .then((rows) => rows.map((r) => parseJsonColumn<string[]>(r.insertion_strings)));
    const auditActions = () =>
      ctx.db.kysely
        .selectFrom('audit_log')
        .select('action')
        .where('target_type', '=', 'phased-deployment')
        .orderBy('id')
        .execute()
        .then((rows) => rows.map((r) => r.action));
    const threePhases = (over: Partial<CreatePhasedDeploymentRequest> = {}) =>
      service.create(ADMIN, {
        name: 'Roll',
        programId,
        haltOnFailurePercent: 40,
        phases: [
          { collectionId: col.A, successPercent: 100, soakMinutes: 30 },
          { collectionId: 'B', successPercent: 60, soakMinutes: 60 },
          { collectionId: col.C, successPercent: 50, soakMinutes: 0 },
        ],
        ...over,
      });

    it('advances a 3-phase rollout: threshold, then soak, then the next phase', async () => {
      const db = ctx.db.kysely;
      // Settings reach every phase's deployment; `enabled` is not one of them (halt to stop).
      let pd = await threePhases({
        deployment: { rerun: 'always', maxPostponeMinutes: 15, enabled: false },
      });
      expect(pd).toMatchObject({ state: 'running', currentPhase: 0, haltReason: null });
      expect(pd.phases.map((p) => p.state)).toEqual(['running', 'waiting', 'waiting']);
      expect(pd.phases[1]).toMatchObject({ collectionId: col.B, collectionName: 'B' });
      expect(pd.phases[0]?.summary).toMatchObject({ targeted: 2, successPercent: 0 });
      expect(pd.phases[1]?.summary).toBeNull();
      const first = await phaseDeployment(pd, 0);
      expect(first).toMatchObject({
        name: 'Roll — phase 1',
        purpose: 'required',
        collection_id: col.A,
        phased_deployment_id: pd.id,
        enabled: 1,
        rerun: 'always',
        max_postpone_minutes: 15,
      });
      expect(parseJsonColumn(first.triggers)).toEqual([{ type: 'asap' }]);
      expect(await statuses(50120)).toEqual([['Roll', '1', 'A']]);
      expect(changedCollections).toContain(col.A);

      await advance();
      await setDeviceState(db, first.id, 'd1', 'succeeded');
      await advance();
      expect((await get(pd.id)).phases[0]).toMatchObject({
        state: 'running',
        thresholdReachedAt: null,
      });

      await setDeviceState(db, first.id, 'd2', 'reboot-pending');
      clock.advanceMinutes(1);
      const reached = clock.now().toISOString();
      await advance();
      expect((await get(pd.id)).phases[0]).toMatchObject({
        state: 'soaking',
        thresholdReachedAt: reached,
      });

      clock.advanceMinutes(29);
      await advance();
      pd = await get(pd.id);
      expect(pd.phases.map((p) => p.state)).toEqual(['soaking', 'waiting', 'waiting']);
      expect(pd.phases[0]?.thresholdReachedAt).toBe(reached);

      clock.advanceMinutes(1);
      await advance();
      pd = await get(pd.id);
      expect(pd.currentPhase).toBe(1);
      expect(pd.phases.map((p) => p.state)).toEqual(['completed', 'running', 'waiting']);
      expect(pd.phases[0]?.completedAt).toBe(clock.now().toISOString());
      const second = await phaseDeployment(pd, 1);
      expect(second).toMatchObject({ name: 'Roll — phase 2', collection_id: col.B });
      expect(changedCollections).toContain(col.B);

      // 2 of 3 succeeded (66.7% ≥ 60%), 1 failed (33.3%, under the 40% halt threshold).
      await setDeviceState(db, second.id, 'd3', 'succeeded');
      await setDeviceState(db, second.id, 'd4', 'succeeded');
      await setDeviceState(db, second.id, 'd5', 'failed');
      await advance();
      expect((await get(pd.id)).phases[1]?.state).toBe('soaking');
      clock.advanceMinutes(60);
      await advance();
      pd = await get(pd.id);
      expect(pd.phases.map((p) => p.state)).toEqual(['completed', 'completed', 'running']);

      const third = await phaseDeployment(pd, 2);
      await setDeviceState(db, third.id, 'd6', 'succeeded');
      await advance();
      expect((await get(pd.id)).state).toBe('running');
      await setDeviceState(db, third.id, 'd7', 'succeeded');
      await advance();
      pd = await get(pd.id);
      expect(pd.state).toBe('completed');
      expect(pd.phases.map((p) => p.state)).toEqual(['completed', 'completed', 'completed']);
      expect(await statuses(50120)).toEqual([
        ['Roll', '1', 'A'],
        ['Roll', '2', 'B'],
        ['Roll', '3', 'C'],
      ]);
      expect(await statuses(50122)).toEqual([['Roll', '3']]);
      expect(await auditActions()).toEqual([
        'phased-deployment.create',
        'phased-deployment.phase-start',
        'phased-deployment.threshold-reached',
        'phased-deployment.phase-complete',
        'phased-deployment.phase-start',
        'phased-deployment.threshold-reached',
        'phased-deployment.phase-complete',
        'phased-deployment.phase-start',
        'phased-deployment.phase-complete',
        'phased-deployment.complete',
      ]);
      // Completed phases' deployments stay enabled (devices joining later still get them).
      expect((await phaseDeployment(pd, 0)).enabled).toBe(1);

      await advance();
      expect(await countRows(db, 'deployment')).toBe(3);
    });

    it('halts by itself when failures pass the threshold, says why, and resumes on request', async () => {
      const db = ctx.db.kysely;
      let pd = await threePhases({
        haltOnFailurePercent: 30,
        phases: [
          { collectionId: col.B, successPercent: 60, soakMinutes: 0 },
          { collectionId: col.A, successPercent: 50, soakMinutes: 0 },
        ],
      });
      const first = await phaseDeployment(pd, 0);
      await setDeviceState(db, first.id, 'd3', 'failed', { exitCode: 2 });
      changedCollections = [];
      await advance();
      pd = await get(pd.id);
      const reason = 'phase 1: 33.3% of devices failed (threshold 30%)';
      expect(pd).toMatchObject({ state: 'halted', currentPhase: 0, haltReason: reason });
      expect(pd.phases.map((p) => p.state)).toEqual(['halted', 'waiting']);
      expect((await phaseDeployment(pd, 0)).enabled).toBe(0);
      expect(changedCollections).toEqual([col.B]);
      expect(await statuses(50121)).toEqual([['Roll', '1', reason]]);

      // Halted stays halted: no second message, nothing started.
      await advance();
      expect(await statuses(50121)).toHaveLength(1);
      expect(await countRows(db, 'deployment')).toBe(1);

      pd = await service.resume(ADMIN, pd.id);
      expect(pd).toMatchObject({ state: 'running', haltReason: null });
      expect(pd.phases[0]?.state).toBe('running');
      expect((await phaseDeployment(pd, 0)).enabled).toBe(1);

      // The failed device was fixed and rerun; the others succeed: the rollout moves on.
      await setDeviceState(db, first.id, 'd3', 'succeeded');
      await setDeviceState(db, first.id, 'd4', 'succeeded');
      await advance();
      pd = await get(pd.id);
      expect(pd.phases.map((p) => p.state)).toEqual(['completed', 'running']);
      expect(await auditActions()).toContain('phased-deployment.resume');
    });

    it('halts and resumes by hand, keeping the reason and the soak', async () => {
      const db = ctx.db.kysely;
      let pd = await threePhases();
      const first = await phaseDeployment(pd, 0);
      await setDeviceState(db, first.id, 'd1', 'succeeded');
      await setDeviceState(db, first.id, 'd2', 'succeeded');
      await advance();
      expect((await get(pd.id)).phases[0]?.state).toBe('soaking');

      await expect(service.halt(ANALYST, pd.id, 'no')).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      pd = await service.halt(ADMIN, 'Roll', 'helpdesk reports crashes');
      expect(pd).toMatchObject({ state: 'halted', haltReason: 'helpdesk reports crashes' });
      expect(pd.phases[0]?.state).toBe('halted');
      expect((await phaseDeployment(pd, 0)).enabled).toBe(0);
      expect(await statuses(50121)).toEqual([
        ['Roll', '1', 'helpdesk reports crashes (halted by alice)'],
      ]);
      await expect(service.halt(ADMIN, pd.id)).rejects.toMatchObject({
        code: 'PHASED_DEPLOYMENT_NOT_RUNNING',
      });

      // Nothing moves while halted, even past the soak time (which still counts once resumed).
      clock.advanceMinutes(120);
      await advance();
      expect((await get(pd.id)).state).toBe('halted');

      pd = await service.resume(ADMIN, pd.id);
      expect(pd.phases[0]?.state).toBe('soaking');
      expect((await phaseDeployment(pd, 0)).enabled).toBe(1);
      await expect(service.resume(ADMIN, pd.id)).rejects.toMatchObject({
        code: 'PHASED_DEPLOYMENT_NOT_HALTED',
      });

      pd = await service.halt(ADMIN, pd.id);
      expect(pd.haltReason).toBe('halted by alice');
      await service.resume(ADMIN, pd.id);
      await advance();
      expect((await get(pd.id)).phases.map((p) => p.state)).toEqual([
        'completed',
        'running',
        'waiting',
      ]);
    });

    it('halts when a phase deployment is deleted, and resumes with a new one', async () => {
      const db = ctx.db.kysely;
      let pd = await threePhases();
      const gone = (await phaseDeployment(pd, 0)).id;
      await db.deleteFrom('deployment').where('id', '=', gone).execute();
      await advance();
      pd = await get(pd.id);
      expect(pd).toMatchObject({
        state: 'halted',
        haltReason: 'phase 1: its deployment no longer exists',
      });
      expect(pd.phases[0]?.summary).toBeNull();
      pd = await service.resume(ADMIN, pd.id);
      expect(pd.phases[0]).toMatchObject({ state: 'running', summary: { targeted: 2 } });
      expect(pd.phases[0]?.deploymentId).not.toBe(gone);
      expect(await statuses(50120)).toEqual([
        ['Roll', '1', 'A'],
        ['Roll', '1', 'A'],
      ]);
    });

    it('refuses bad rollouts with stable codes and writes nothing', async () => {
      await threePhases({ name: 'Existing' });
      const db = ctx.db.kysely;
      const tables = [
        'phased_deployment',
        'deployment_phase',
        'deployment',
        'audit_log',
        'status_message',
      ] as const;
      const snapshot = () => Promise.all(tables.map((t) => countRows(db, t)));
      const before = await snapshot();
      const phases = [{ collectionId: col.A, successPercent: 100, soakMinutes: 0 }];
      const cases: [Partial<CreatePhasedDeploymentRequest>, string][] = [
        [{ programId: 'nope' }, 'PROGRAM_NOT_FOUND'],
        [{ programId: bare }, 'CONTENT_MISSING'],
        [{ phases: [...phases, { ...phases[0]!, collectionId: 'nope' }] }, 'COLLECTION_NOT_FOUND'],
        // The same collection by id and by name.
        [{ phases: [...phases, { ...phases[0]!, collectionId: 'A' }] }, 'INVALID_PHASES'],
        [{ name: 'Existing' }, 'PHASED_DEPLOYMENT_NAME_TAKEN'],
        // Refused by the deployment service while phase 1 is created: the rollout goes too.
        [
          { deployment: { triggers: [{ type: 'at', start: '2026-02-01T00:00' }] } },
          'SCHEDULE_IN_PAST',
        ],
      ];
      for (const [over, code] of cases) {
        await expect(threePhases({ name: 'New', ...over }), code).rejects.toMatchObject({ code });
      }
      expect(await snapshot()).toEqual(before);
    });

    it('never advances past a phase whose collection is empty', async () => {
      let pd = await threePhases({
        phases: [
          { collectionId: col.Empty, successPercent: 1, soakMinutes: 0 },
          { collectionId: col.A, successPercent: 100, soakMinutes: 0 },
        ],
      });
      clock.advanceMinutes(600);
      await advance();
      pd = await get(pd.id);
      expect(pd).toMatchObject({ state: 'running', currentPhase: 0 });
      expect(pd.phases[0]).toMatchObject({
        state: 'running',
        thresholdReachedAt: null,
        summary: { targeted: 0, successPercent: 0, failurePercent: 0 },
      });
    });

    it('halts, saying why, when the next phase cannot be started', async () => {
      const db = ctx.db.kysely;
      let pd = await threePhases({
        deployment: { triggers: [{ type: 'at', start: '2026-03-01T00:10' }] },
        phases: [
          { collectionId: col.A, successPercent: 50, soakMinutes: 0 },
          { collectionId: col.B, successPercent: 50, soakMinutes: 0 },
        ],
      });
      await setDeviceState(db, (await phaseDeployment(pd, 0)).id, 'd1', 'succeeded');
      clock.advanceMinutes(20);
      await advance();
      pd = await get(pd.id);
      expect(pd).toMatchObject({ state: 'halted', currentPhase: 1 });
      expect(pd.haltReason).toMatch(/^phase 2 could not start: SCHEDULE_IN_PAST: /);
      expect(pd.phases.map((p) => p.state)).toEqual(['completed', 'halted']);
      expect(pd.phases[1]?.deploymentId).toBeNull();
      expect(await countRows(db, 'deployment')).toBe(1);
    });
  });
});
