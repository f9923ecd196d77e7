import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentOps,
  ops,
  type AssignmentsDocument,
  type RerunDeploymentRequest,
  type Deployment,
  type DeploymentStateReport,
  type OutboxItem,
  type Program,
} from '@steward/protocol';
import { waitFor } from '../../../../test-support/site.js';
import { postgresReachable, testDialects } from '../../test/support/db.js';
import {
  agentCall,
  enrolDevice,
  insertPackage,
  refusal,
  signedAssignments,
  startTestServer,
  type TestDevice,
  type TestServer,
} from '../../test/support/deployments.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL is unreachable: the postgres cases of assignments.int.test.ts are SKIPPED',
  );

const iso = (t: TestServer, minutes: number) =>
  new Date(Date.now() + t.clock.offsetMs + minutes * 60_000).toISOString();

describe.each(testDialects)('assignments and deployment state on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let t: TestServer;
    let d1: TestDevice;
    let d2: TestDevice;
    let a: Program;
    let b: Program;
    let dep: Deployment;

    beforeAll(async () => {
      t = await startTestServer(dialect);
      await insertPackage(t.db, 'tools', { 'install.sh': 'echo ok\n', 'lib/x.txt': 'x' });
      a = await t.api.createProgram('tools', { name: 'A', commandLine: 'sh install.sh' });
      b = await t.api.createProgram('tools', {
        name: 'B',
        commandLine: 'true',
        dependsOnProgramId: a.id,
      });
      d1 = await enrolDevice(t, 'web-1');
      d2 = await enrolDevice(t, 'web-2');
      await waitFor('both devices in All Systems', async () => {
        const m = await t.api.collectionMembers('all-systems');
        return m.total === 2;
      });
      dep = await t.api.createDeployment({
        programId: b.id,
        collectionId: 'all-systems',
        purpose: 'required',
        triggers: [
          { type: 'on-enrolment' },
          {
            type: 'at',
            start: '2026-01-01T03:00',
            recurrence: { kind: 'daily', everyDays: 1 },
          },
        ],
      });
    });
    afterAll(async () => {
      await t?.stop();
    });

    const assignments = (device: TestDevice): Promise<AssignmentsDocument> =>
      signedAssignments(t.server.agentUrl, device);

    const revisionOf = async (device: TestDevice) =>
      (await assignments(device)).deployments.find((d) => d.id === dep.id)?.revision;

    it('serves a signed document with programs, dependencies and windows', async () => {
      const window = await t.api.createMaintenanceWindow('all-systems', {
        name: 'nightly',
        start: '2026-01-01T01:00',
        durationMinutes: 60,
        recurrence: { kind: 'daily', everyDays: 1 },
        timeBase: 'local',
        appliesTo: 'all',
        enabled: true,
      });
      const doc = await assignments(d1);
      expect(doc.deviceId).toBe(d1.deviceId);
      const device = await t.api.getDevice(d1.deviceId);
      expect(doc.deployments).toEqual([
        expect.objectContaining({
          id: dep.id,
          programId: b.id,
          purpose: 'required',
          revision: 1,
          rerun: 'if-failed',
          targetedAt: device.enrolledAt,
        }),
      ]);
      expect(doc.programs.map((p) => p.name).sort()).toEqual(['A', 'B']);
      const progA = doc.programs.find((p) => p.id === a.id);
      expect(progA?.packageVersionId).not.toBe('');
      expect(progA?.files.map((f) => f.path)).toEqual(['install.sh', 'lib/x.txt']);
      expect(doc.programs.find((p) => p.id === b.id)?.dependsOnProgramId).toBe(a.id);
      expect(doc.maintenanceWindows).toEqual([
        expect.objectContaining({ id: window.id, durationMinutes: 60 }),
      ]);
      // A change drops the cached document at once.
      await t.api.setProgramDisabled(b.id, true);
      expect((await assignments(d1)).programs.find((p) => p.id === b.id)?.disabled).toBe(true);
      await t.api.setProgramDisabled(b.id, false);
      await t.api.updateDeployment(dep.id, { enabled: false });
      expect((await assignments(d1)).deployments).toEqual([]);
      await t.api.updateDeployment(dep.id, { enabled: true });
      expect(await revisionOf(d1)).toBe(1);
    });

    it('raises revisions for every device or for some', async () => {
      expect((await t.api.rerunDeployment(dep.id)).revision).toBe(2);
      expect([await revisionOf(d1), await revisionOf(d2)]).toEqual([2, 2]);
      await t.api.rerunDeployment(dep.id, [d1.deviceId]);
      expect([await revisionOf(d1), await revisionOf(d2)]).toEqual([3, 2]);
      await t.api.rerunDeployment(dep.id, [d1.deviceId]);
      expect([await revisionOf(d1), await revisionOf(d2)]).toEqual([4, 2]);
      const r = await refusal(t.api.rerunDeployment(dep.id, [d2.deviceId, 'nope']));
      expect(r).toMatchObject({ status: 404, code: 'DEVICE_NOT_FOUND' });
      expect(await revisionOf(d2)).toBe(2);
      // Rerun all goes above every per-device revision.
      expect((await t.api.rerunDeployment(dep.id)).revision).toBe(5);
      expect([await revisionOf(d1), await revisionOf(d2)]).toEqual([5, 5]);
    });

    it('reruns every device matching the devices list filter, resolved on the site', async () => {
      const rerun = (body: RerunDeploymentRequest) =>
        t.api.call(ops.deployments.rerun, { params: { id: dep.id }, body });
      const r1 = (await revisionOf(d1)) ?? 0;
      const r2 = (await revisionOf(d2)) ?? 0;
      // The devices list's own filter (a search for web-2), with the count confirmed.
      await rerun({ filter: { search: 'web-2' }, expectedCount: 1 });
      expect([await revisionOf(d1), await revisionOf(d2)]).toEqual([r1, r2 + 1]);
      // A count that no longer holds, or ids and a filter together: refused, nothing raised.
      expect(await refusal(rerun({ filter: {}, expectedCount: 40 }))).toMatchObject({
        status: 409,
        code: 'BULK_COUNT_CHANGED',
      });
      expect(
        await refusal(rerun({ filter: {}, deviceIds: [d1.deviceId], expectedCount: 2 })),
      ).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
      expect([await revisionOf(d1), await revisionOf(d2)]).toEqual([r1, r2 + 1]);
      await rerun({ filter: {} });
      expect(await revisionOf(d1)).toBeGreaterThan(r1);
      const audit = await t.api.listAudit({ action: 'deployment.rerun', limit: 50 });
      expect(audit.find((e) => JSON.stringify(e.details).includes('web-2'))?.details).toMatchObject(
        { devices: 1, filter: { search: 'web-2' } },
      );
    });

    it('leaves out an expired deployment', async () => {
      const soon = await t.api.createDeployment({
        programId: a.id,
        collectionId: 'all-systems',
        purpose: 'available',
        expiresAt: iso(t, 30).slice(0, 16),
      });
      expect((await assignments(d2)).deployments.map((d) => d.id)).toContain(soon.id);
      t.clock.offsetMs += 31 * 60_000;
      expect((await assignments(d2)).deployments.map((d) => d.id)).not.toContain(soon.id);
    });

    it('follows collection membership changes', async () => {
      const col = await t.api.createCollection({
        name: 'pilot',
        rules: [{ kind: 'direct', deviceId: d1.deviceId }],
      });
      const pilot = await t.api.createDeployment({
        programId: a.id,
        collectionId: col.id,
        purpose: 'available',
      });
      expect((await assignments(d2)).deployments.map((d) => d.id)).not.toContain(pilot.id);
      const before = new Set((await t.api.deviceActions(d2.deviceId)).map((x) => x.id));
      await t.api.updateCollection(col.id, {
        name: 'pilot',
        rules: [
          { kind: 'direct', deviceId: d1.deviceId },
          { kind: 'direct', deviceId: d2.deviceId },
        ],
      });
      const nudged = await waitFor('membership nudge', async () =>
        (await t.api.deviceActions(d2.deviceId)).find(
          (x) =>
            !before.has(x.id) && x.action === 'deployments:evaluate' && x.requestedBy === 'system',
        ),
      );
      expect(nudged.state).toBe('not-connected');
      expect((await assignments(d2)).deployments.map((d) => d.id)).toContain(pilot.id);
    });

    it('drops a cached document when its device joins a collection without deployments', async () => {
      // Cached before the join: the new collection has nothing for it yet.
      await assignments(d2);
      const col = await t.api.createCollection({
        name: 'canary',
        rules: [{ kind: 'direct', deviceId: d2.deviceId }],
      });
      const change = await waitFor('membership change recorded', async () =>
        t.db
          .selectFrom('collection_membership_change')
          .select('id')
          .where('collection_id', '=', col.id)
          .where('device_id', '=', d2.deviceId)
          .executeTakeFirst(),
      );
      await waitFor('membership watch past the change', async () => {
        const mark = await t.db
          .selectFrom('site_setting')
          .select('value')
          .where('key', '=', 'deployments_membership_change_id')
          .executeTakeFirst();
        return Number(mark?.value ?? 0) >= Number(change.id);
      });
      // A deployment in the new collection must reach it at once.
      const canary = await t.api.createDeployment({
        programId: a.id,
        collectionId: col.id,
        purpose: 'available',
      });
      expect((await assignments(d2)).deployments.map((d) => d.id)).toContain(canary.id);
    });

    it('names the new current version of a package', async () => {
      const before = (await assignments(d1)).programs.find((p) => p.id === a.id);
      const versionId = (
        await t.db
          .selectFrom('software_package')
          .select('current_version_id')
          .where('id', '=', a.packageId)
          .executeTakeFirstOrThrow()
      ).current_version_id;
      expect(before?.packageVersionId).toBe(versionId);
      // A second version with the same files, made current as the content library does it.
      const next = randomUUID();
      const at = new Date().toISOString();
      const old = await t.db
        .selectFrom('package_version')
        .selectAll()
        .where('id', '=', versionId ?? '')
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('package_version')
        .values({
          ...old,
          id: next,
          number: old.number + 1,
          size_bytes: Number(old.size_bytes),
          created_at: at,
        })
        .execute();
      const files = await t.db
        .selectFrom('package_version_file')
        .selectAll()
        .where('version_id', '=', old.id)
        .execute();
      await t.db
        .insertInto('package_version_file')
        .values(files.map((f) => ({ ...f, size: Number(f.size), version_id: next })))
        .execute();
      await t.db
        .updateTable('software_package')
        .set({ current_version_id: next })
        .where('id', '=', a.packageId)
        .execute();
      await t.server.ctx?.bus.publish('content-changed', { packageId: a.packageId });
      // On PostgreSQL the event comes back through LISTEN: wait for it, not for the cache age.
      const after = await waitFor('new version named', async () => {
        const doc = await assignments(d1);
        return doc.programs.find((p) => p.id === a.id)?.packageVersionId === next && doc;
      });
      // B depends on A's package too: its entry moved with it.
      expect(after.programs.find((p) => p.id === b.id)?.packageVersionId).toBe(next);
    });

    async function report(device: TestDevice, items: OutboxItem[]) {
      const r = await agentCall(t.server.agentUrl, 'POST', agentOps.device.reports.path, {
        auth: device.auth,
        body: { items },
      });
      expect(r.status).toBe(200);
      return r.json;
    }

    const item = (seq: number, body: Omit<DeploymentStateReport, 'deploymentId' | 'revision'>) =>
      ({
        seq,
        type: 'deployment:state',
        body: { deploymentId: dep.id, revision: 5, ...body },
      }) satisfies OutboxItem;

    async function stateRow(device: TestDevice) {
      const rows = await t.api.deviceDeployments(device.deviceId);
      return rows.find((r) => r.deploymentId === dep.id);
    }

    it('stores deployment states once, newest first, counting each run once', async () => {
      const t0 = iso(t, 0);
      const batch = [
        item(101, { state: 'received', at: iso(t, -10) }),
        item(102, { state: 'running', at: iso(t, -9), runId: 'r1' }),
        item(103, {
          state: 'succeeded',
          at: iso(t, -8),
          runId: 'r1',
          exitCode: 0,
          outputTail: 'ok\n',
          lastRunAt: iso(t, -8),
        }),
      ];
      expect(await report(d1, batch)).toMatchObject({ ackSeq: 103 });
      expect(await report(d1, batch)).toMatchObject({ ackSeq: 103 });
      expect(await stateRow(d1)).toMatchObject({ state: 'succeeded', runCount: 1, exitCode: 0 });
      // An older state arriving late changes nothing.
      await report(d1, [item(104, { state: 'running', at: iso(t, -9), runId: 'r1' })]);
      expect(await stateRow(d1)).toMatchObject({ state: 'succeeded', runCount: 1 });
      // The same outcome re-reported as a new item (after an agent restart) counts once.
      await report(d1, [
        item(105, { state: 'succeeded', at: iso(t, -7), runId: 'r1', exitCode: 0 }),
      ]);
      expect(await stateRow(d1)).toMatchObject({ state: 'succeeded', runCount: 1 });
      // A deleted deployment's state is acknowledged and dropped.
      const gone = { ...item(106, { state: 'received', at: t0 }) };
      gone.body = { ...gone.body, deploymentId: 'deleted-deployment' };
      expect(await report(d1, [gone])).toMatchObject({ ackSeq: 106 });
      await report(d1, [
        item(107, { state: 'running', at: iso(t, -2), runId: 'r2' }),
        item(108, {
          state: 'failed',
          at: iso(t, -1),
          runId: 'r2',
          exitCode: 3,
          reasonCode: 'EXIT_CODE',
          reason: 'exit code 3',
          outputTail: 'boom',
          lastRunAt: iso(t, -1),
        }),
      ]);
      expect(await stateRow(d1)).toMatchObject({
        state: 'failed',
        runCount: 2,
        exitCode: 3,
        reasonCode: 'EXIT_CODE',
        outputTail: 'boom',
        overdue: false,
      });
    });

    it('summarises states, overdue devices and the drill-down', async () => {
      const s1 = await t.api.deploymentSummary(dep.id);
      expect(s1).toMatchObject({ targeted: 2, overdue: 0, failurePercent: 50, successPercent: 0 });
      expect(s1.counts).toMatchObject({ failed: 1, targeted: 1, succeeded: 0 });
      // web-2 last ran three days ago on a daily schedule: overdue.
      await report(d2, [
        item(201, {
          state: 'succeeded',
          at: iso(t, -3 * 1440),
          runId: 'old',
          exitCode: 0,
          lastRunAt: iso(t, -3 * 1440),
        }),
      ]);
      const s2 = await t.api.deploymentSummary(dep.id);
      expect(s2).toMatchObject({ targeted: 2, overdue: 1, successPercent: 50, failurePercent: 50 });
      const overdue = await t.api.deploymentDevices(dep.id, { overdue: true });
      expect(overdue).toMatchObject({ total: 1, items: [{ hostname: 'web-2', overdue: true }] });
      const failed = await t.api.deploymentDevices(dep.id, { state: 'failed' });
      expect(failed.items.map((r) => r.deviceId)).toEqual([d1.deviceId]);
      const search = await t.api.deploymentDevices(dep.id, { search: 'WEB-2' });
      expect(search.items.map((r) => r.hostname)).toEqual(['web-2']);
      const page = await t.api.deploymentDevices(dep.id, { limit: 1, offset: 1 });
      expect(page).toMatchObject({ total: 2, items: [{ hostname: 'web-2' }] });
      const listed = await t.api.listDeployments({ program: b.id });
      expect(listed.map((d) => d.summary?.counts.failed)).toEqual([1]);
    });

    it('stores odd but valid numbers instead of refusing the batch for ever', async () => {
      // Anything the schema accepts must be storable: a 500 here is re-sent by the agent at
      // every contact and blocks the device's whole outbox behind it.
      expect(
        await report(d1, [
          item(301, {
            state: 'failed',
            at: iso(t, 1),
            runId: 'r3',
            exitCode: 3221225477,
            bytesDone: 1.5,
            bytesTotal: 2.5,
            lastRunAt: iso(t, 1),
          }),
        ]),
      ).toMatchObject({ ackSeq: 301 });
      expect(await stateRow(d1)).toMatchObject({
        state: 'failed',
        exitCode: -1073741819,
        bytesDone: 1,
        bytesTotal: 2,
      });
    });
  });
});
