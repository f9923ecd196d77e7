import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentBody, Program } from '@steward/protocol';
import { postgresReachable, testDialects } from '../../test/support/db.js';
import {
  insertPackage,
  refusal,
  startTestServer,
  writtenRows,
  type TestServer,
} from '../../test/support/deployments.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL is unreachable: the postgres cases of deployments.int.test.ts are SKIPPED',
  );

/** A wall time `minutes` from the server's now, in UTC. */
function wall(t: TestServer, minutes: number): string {
  return new Date(Date.now() + t.clock.offsetMs + minutes * 60_000).toISOString().slice(0, 16);
}

describe.each(testDialects)('programs, deployments and windows on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let t: TestServer;
    let a: Program;
    let b: Program;
    let c: Program;
    let emptyProgram: Program;

    beforeAll(async () => {
      t = await startTestServer(dialect);
      const pkg = await insertPackage(t.db, 'tools');
      const empty = await insertPackage(t.db, 'empty', null);
      a = await t.api.createProgram(pkg, { name: 'A', commandLine: 'sh install.sh' });
      b = await t.api.createProgram('tools', {
        name: 'B',
        commandLine: 'true',
        dependsOnProgramId: a.id,
      });
      c = await t.api.createProgram(pkg, {
        name: 'C',
        commandLine: 'true',
        dependsOnProgramId: b.id,
      });
      emptyProgram = await t.api.createProgram(empty, { name: 'E', commandLine: 'true' });
    });
    afterAll(async () => {
      await t?.stop();
    });

    /** Runs a request that must be refused with `code`, and checks nothing was written. */
    async function refused(p: () => Promise<unknown>, status: number, code: string) {
      const before = await writtenRows(t.db);
      const r = await refusal(p());
      expect({ status: r.status, code: r.code }).toEqual({ status, code });
      expect(await writtenRows(t.db)).toEqual(before);
      return r;
    }

    it('creates programs with their defaults and refuses bad ones', async () => {
      expect(a).toMatchObject({
        packageName: 'tools',
        workingDirectory: '.',
        runAs: 'root',
        maxRunMinutes: 120,
        successExitCodes: [0],
        rebootExitCodes: [],
        requirements: {},
        dependsOnProgramId: null,
        disabled: false,
      });
      const body = { name: 'X', commandLine: 'true' };
      await refused(() => t.api.createProgram('nope', body), 404, 'PACKAGE_NOT_FOUND');
      await refused(
        () => t.api.createProgram('tools', { ...body, dependsOnProgramId: 'nope' }),
        404,
        'PROGRAM_NOT_FOUND',
      );
      await refused(
        () => t.api.createProgram('tools', { ...body, workingDirectory: '/etc' }),
        400,
        'INVALID_WORKING_DIRECTORY',
      );
      await refused(
        () => t.api.createProgram('tools', { ...body, workingDirectory: 'bin/../..' }),
        400,
        'INVALID_WORKING_DIRECTORY',
      );
      await refused(
        () => t.api.createProgram('tools', { ...body, name: 'A' }),
        409,
        'PROGRAM_NAME_TAKEN',
      );
      const listed = await t.api.listPrograms('tools');
      expect(listed.map((p) => p.name)).toEqual(['A', 'B', 'C']);
    });

    it('refuses a program depending on itself or closing a loop', async () => {
      const self = await refused(
        () => t.api.updateProgram(a.id, { dependsOnProgramId: a.id }),
        400,
        'PROGRAM_DEPENDENCY_CYCLE',
      );
      expect(self.details).toEqual({ cycle: [a.id, a.id] });
      // A -> B -> A
      await refused(
        () => t.api.updateProgram(a.id, { dependsOnProgramId: b.id }),
        400,
        'PROGRAM_DEPENDENCY_CYCLE',
      );
      // A -> C -> B -> A
      const loop = await refused(
        () => t.api.updateProgram(a.id, { dependsOnProgramId: c.id }),
        400,
        'PROGRAM_DEPENDENCY_CYCLE',
      );
      expect(loop.details).toEqual({ cycle: [a.id, c.id, b.id, a.id] });
      expect((await t.api.getProgram(a.id)).dependsOnProgramId).toBeNull();
    });

    it('validates deployments and writes nothing when it refuses', async () => {
      const ok: DeploymentBody = {
        programId: c.id,
        collectionId: 'all-systems',
        purpose: 'required',
        triggers: [{ type: 'asap' }],
      };
      await refused(
        () => t.api.createDeployment({ ...ok, programId: 'nope' }),
        404,
        'PROGRAM_NOT_FOUND',
      );
      await refused(
        () => t.api.createDeployment({ ...ok, collectionId: 'nope' }),
        404,
        'COLLECTION_NOT_FOUND',
      );
      await refused(
        () => t.api.createDeployment({ ...ok, programId: emptyProgram.id }),
        409,
        'CONTENT_MISSING',
      );
      await refused(
        () => t.api.createDeployment({ ...ok, triggers: [{ type: 'at', start: wall(t, -5) }] }),
        400,
        'SCHEDULE_IN_PAST',
      );
      await refused(
        () =>
          t.api.createDeployment({
            ...ok,
            timeBase: 'local',
            triggers: [{ type: 'at', start: wall(t, -15 * 60) }],
          }),
        400,
        'SCHEDULE_IN_PAST',
      );
      await refused(
        () => t.api.createDeployment({ ...ok, expiresAt: wall(t, -1) }),
        400,
        'SCHEDULE_IN_PAST',
      );
      await refused(
        () => t.api.createDeployment({ ...ok, availableAt: wall(t, 120), expiresAt: wall(t, 60) }),
        400,
        'INVALID_SCHEDULE',
      );
      await refused(() => t.api.createDeployment({ ...ok, triggers: [] }), 400, 'INVALID_SCHEDULE');
      await refused(
        () =>
          t.api.createDeployment({ ...ok, triggers: [{ type: 'at', start: '2031-02-30T10:00' }] }),
        400,
        'INVALID_SCHEDULE',
      );
      // Client local time: a time 10 hours ago may still lie ahead in a western zone.
      const local = await t.api.createDeployment({
        ...ok,
        timeBase: 'local',
        triggers: [{ type: 'at', start: wall(t, -10 * 60) }],
      });
      expect(local.timeBase).toBe('local');
      await t.api.deleteDeployment(local.id);
    });

    it('refuses to delete a collection a deployment targets', async () => {
      const col = await t.api.createCollection({
        name: 'doomed',
        rules: [{ kind: 'include', collectionId: 'all-systems' }],
      });
      const dep = await t.api.createDeployment({
        programId: a.id,
        collectionId: col.id,
        purpose: 'available',
      });
      const r = await refused(() => t.api.deleteCollection(col.id), 409, 'COLLECTION_IN_USE');
      expect(r.details).toEqual({ deployments: [{ id: dep.id, name: dep.name }] });
      await t.api.deleteDeployment(dep.id);
      await t.api.deleteCollection(col.id);
    });

    it('fills deployment defaults, flags a disabled program and checks updates', async () => {
      const d = await t.api.createDeployment({
        programId: b.id,
        collectionId: 'All Systems',
        purpose: 'available',
      });
      expect(d).toMatchObject({
        name: 'B to All Systems',
        collectionId: 'all-systems',
        packageName: 'tools',
        availableAt: null,
        expiresAt: null,
        timeBase: 'utc',
        rerun: 'if-failed',
        preDownload: true,
        contentMode: 'download',
        runOverSlowBoundary: false,
        allowFallback: true,
        overrideMaintenanceWindows: false,
        maxPostponeMinutes: 0,
        enabled: true,
        revision: 1,
        extraAssignments: [],
        programDisabled: false,
        summary: { targeted: 0, overdue: 0, successPercent: 0 },
      });
      await t.api.setProgramDisabled(b.id, true);
      const flagged = await t.api.createDeployment({
        programId: b.id,
        collectionId: 'all-systems',
        purpose: 'required',
        triggers: [{ type: 'at', start: wall(t, 30) }],
      });
      expect(flagged.programDisabled).toBe(true);
      await t.api.setProgramDisabled(b.id, false);
      // Once the one-off time has passed, an unrelated change is still allowed...
      t.clock.offsetMs += 60 * 60_000;
      const renamed = await t.api.updateDeployment(flagged.id, { name: 'renamed' });
      expect(renamed.name).toBe('renamed');
      // ...but not a new trigger in the past, nor an extra assignment in the past.
      await refused(
        () =>
          t.api.updateDeployment(flagged.id, { triggers: [{ type: 'at', start: wall(t, -1) }] }),
        400,
        'SCHEDULE_IN_PAST',
      );
      await refused(
        () => t.api.addExtraAssignment(flagged.id, wall(t, -1)),
        400,
        'SCHEDULE_IN_PAST',
      );
      const extra = await t.api.addExtraAssignment(flagged.id, wall(t, 90));
      expect(extra.extraAssignments).toEqual([wall(t, 90)]);
      await refused(() => t.api.deleteProgram(b.id), 409, 'PROGRAM_IN_USE');
      await refused(() => t.api.deleteProgram(a.id), 409, 'PROGRAM_IN_USE');
      await t.api.deleteDeployment(d.id);
      await t.api.deleteDeployment(flagged.id);
      await refused(() => t.api.deleteProgram(b.id), 409, 'PROGRAM_IN_USE'); // C depends on it
      const audit = await t.api.listAudit({ targetType: 'program', targetId: b.id });
      expect(audit.map((e) => e.action)).toEqual(
        expect.arrayContaining(['program.disable', 'program.enable']),
      );
      const messages = await t.api.listStatusMessages({ messageId: 50111 });
      expect(messages.items.length).toBe(2);
    });

    it('answers an out-of-range devices offset with 400, not a database error', async () => {
      const d = await t.api.createDeployment({
        programId: a.id,
        collectionId: 'all-systems',
        purpose: 'available',
      });
      const { token } = await t.api.login('admin', 'deployments test password');
      const res = await fetch(
        `${t.server.adminUrl}/api/v1/deployments/${d.id}/devices?offset=100000000000000000000`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(res.status).toBe(400);
    });

    it('keeps maintenance windows within 5 minutes to 24 hours', async () => {
      const body = {
        name: 'nightly',
        start: '2026-02-01T01:00',
        durationMinutes: 120,
        recurrence: { kind: 'daily' as const, everyDays: 1 },
        timeBase: 'utc' as const,
        appliesTo: 'all' as const,
        enabled: true,
      };
      await refused(
        () => t.api.createMaintenanceWindow('all-systems', { ...body, durationMinutes: 0 }),
        400,
        'INVALID_INPUT',
      );
      await refused(
        () => t.api.createMaintenanceWindow('all-systems', { ...body, durationMinutes: 1441 }),
        400,
        'INVALID_INPUT',
      );
      await refused(() => t.api.createMaintenanceWindow('nope', body), 404, 'COLLECTION_NOT_FOUND');
      await refused(
        () => t.api.createMaintenanceWindow('all-systems', { ...body, start: '2026-02-30T01:00' }),
        400,
        'INVALID_SCHEDULE',
      );
      // Day 31 every 12 months from February never occurs: allowed, as in SMS.
      const never = await t.api.createMaintenanceWindow('All Systems', {
        ...body,
        name: 'never',
        recurrence: { kind: 'monthly', everyMonths: 12, dayOfMonth: 31 },
      });
      expect(never).toMatchObject({ collectionId: 'all-systems', collectionName: 'All Systems' });
      const w = await t.api.createMaintenanceWindow('all-systems', body);
      await refused(
        () => t.api.updateMaintenanceWindow(w.id, { durationMinutes: 0 }),
        400,
        'INVALID_INPUT',
      );
      const longer = await t.api.updateMaintenanceWindow(w.id, { durationMinutes: 1440 });
      expect(longer).toMatchObject({ name: 'nightly', durationMinutes: 1440 });
      expect((await t.api.listMaintenanceWindows('all-systems')).map((x) => x.name)).toEqual([
        'never',
        'nightly',
      ]);
      await t.api.deleteMaintenanceWindow(w.id);
      await t.api.deleteMaintenanceWindow(never.id);
      await refused(() => t.api.deleteMaintenanceWindow(w.id), 404, 'MAINTENANCE_WINDOW_NOT_FOUND');
    });
  });
});
