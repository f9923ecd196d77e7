/**
 * Client deployment status (issue 9) on a real database, SQLite and PostgreSQL: devices, push
 * attempts, agent upgrade attempts and client checks written as their domains write them, and
 * the states, reasons, counts, failure buckets and reports the dashboards read.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientStatusDevice } from '@steward/protocol';
import { createTestContext, postgresReachable, testDialects } from '../../test/support/db.js';
import { ADMIN, insertDevice, ManualClock } from '../../test/support/collections.js';
import { seedCollection } from '../../test/support/phased-deployments.js';
import type { SiteContext } from '../context.js';
import type { Database } from '../db/tables/index.js';
import { AgentVersionService } from '../agent-versions/service.js';
import { ensureBuiltinCollections } from '../collections/builtin.js';
import { ClientStatusService } from './service.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL is unreachable: the postgres cases of client-status.int.test.ts are SKIPPED',
  );

const DAY = 86400_000;
const NOW = new Date('2026-12-06T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

async function version(db: Kysely<Database>, v: string): Promise<void> {
  await db
    .insertInto('agent_version')
    .values({ version: v, created_at: ago(30 * DAY), created_by: 'admin', size_bytes: 1 })
    .execute();
}

async function pushAttempt(
  db: Kysely<Database>,
  a: {
    id: string;
    deviceId: string | null;
    host: string;
    outcome: 'succeeded' | 'failed' | null;
    code?: string;
    version: string | null;
    startedAt: string;
    finishedAt?: string;
  },
): Promise<void> {
  await db
    .insertInto('push_job')
    .onConflict((oc) => oc.column('id').doNothing())
    .values({
      id: 'job-1',
      account_id: 'acc',
      account_name: 'root key',
      source: 'hosts',
      collection_id: null,
      created_at: ago(10 * DAY),
      created_by: 'admin',
    })
    .execute();
  await db
    .insertInto('push_target')
    .values({
      id: `t-${a.id}`,
      job_id: 'job-1',
      host: a.host,
      port: 22,
      state: a.outcome === 'failed' ? 'failed' : a.outcome === null ? 'installing' : 'succeeded',
      attempts: 1,
      last_error_code: a.code ?? null,
      last_error: a.code ? `${a.code}: as the test says` : null,
      reason: null,
      next_attempt_at: null,
      first_attempt_at: a.startedAt,
      device_id: a.deviceId,
      token_id: null,
      claimed_by: null,
      created_at: a.startedAt,
      updated_at: a.finishedAt ?? a.startedAt,
    })
    .execute();
  await db
    .insertInto('push_attempt')
    .values({
      id: a.id,
      target_id: `t-${a.id}`,
      number: 1,
      started_at: a.startedAt,
      finished_at: a.finishedAt ?? null,
      outcome: a.outcome,
      error_code: a.code ?? null,
      log: `${a.startedAt} attempt 1 at ${a.host}:22\n${a.finishedAt ?? ''} done`,
      agent_version: a.version,
    })
    .execute();
}

async function upgrade(
  db: Kysely<Database>,
  u: {
    deviceId: string;
    id: string;
    to: string;
    state: 'downloading' | 'succeeded' | 'failed' | 'rolled-back';
    startedAt: string;
    finishedAt?: string;
    code?: string;
    reason?: string;
  },
): Promise<void> {
  await db
    .insertInto('agent_upgrade')
    .values({
      device_id: u.deviceId,
      attempt_id: u.id,
      from_version: '0.9.0',
      to_version: u.to,
      rollout: 'production',
      state: u.state,
      scheduled_for: null,
      started_at: u.startedAt,
      updated_at: u.finishedAt ?? u.startedAt,
      finished_at: u.finishedAt ?? null,
      error_code: u.code ?? null,
      reason: u.reason ?? null,
      received_at: u.finishedAt ?? u.startedAt,
    })
    .execute();
}

async function check(db: Kysely<Database>, deviceId: string, failed: boolean): Promise<void> {
  await db
    .insertInto('client_check_state')
    .values([
      {
        device_id: deviceId,
        check_name: 'service',
        outcome: 'passed',
        detail: 'running',
        seq: 1,
        at: ago(DAY),
      },
      {
        device_id: deviceId,
        check_name: 'disk-space',
        outcome: failed ? 'failed' : 'passed',
        detail: failed ? '12 MB free' : '9 GB free',
        seq: 1,
        at: ago(DAY),
      },
    ])
    .execute();
}

describe.each(testDialects)('client deployment status on %s', (dialect) => {
  describe.skipIf(dialect === 'postgres' && !pgUp)('', () => {
    let ctx: SiteContext;
    let cleanup: () => Promise<void>;
    let clock: ManualClock;
    let service: ClientStatusService;

    const list = async (
      q: Parameters<ClientStatusService['devices']>[1],
    ): Promise<Map<string, ClientStatusDevice>> =>
      new Map(
        (await service.devices(ADMIN, { limit: 1000, ...q })).items.map((d) => [d.deviceId, d]),
      );

    beforeAll(async () => {
      clock = new ManualClock(new Date(ago(5 * DAY)));
      ({ ctx, cleanup } = await createTestContext(dialect, clock));
      await ensureBuiltinCollections(ctx);
      service = new ClientStatusService(ctx);
      const db = ctx.db.kysely;
      await version(db, '1.0.0');
      await version(db, '1.1.0');
      const recent = ago(3600_000);
      const old = ago(40 * DAY);
      const devices: [string, string | null, string][] = [
        ['d-ok', '1.0.0', recent],
        ['d-check', '1.0.0', recent],
        ['d-old', '0.9.0', recent],
        ['d-gone', '1.0.0', ago(30 * DAY)],
        ['d-rollback', '0.9.0', recent],
        ['d-running', '0.9.0', recent],
        ['d-push-failed', '0.9.0', recent],
        ['d-healed', '1.0.0', recent],
        ['site-server', '1.1.0', recent],
        ['d-pre-waiting', '1.0.0', recent],
        ['d-excluded', '1.0.0', recent],
      ];
      for (const [id, agentVersion, lastContactAt] of devices)
        await insertDevice(db, {
          id,
          agentVersion,
          lastContactAt,
          // Contact in these fixtures is a heartbeat (null: never reported).
          lastHeartbeatAt: lastContactAt,
          enrolledAt: old,
        });
      // Enrolled an hour ago with an older agent: its upgrade window opened at enrolment.
      await insertDevice(db, {
        id: 'd-new',
        agentVersion: '0.9.0',
        lastContactAt: recent,
        lastHeartbeatAt: recent,
        enrolledAt: recent,
      });
      await check(db, 'd-ok', false);
      await check(db, 'd-check', true);
      await upgrade(db, {
        deviceId: 'd-rollback',
        id: 'u1',
        to: '1.0.0',
        state: 'rolled-back',
        startedAt: ago(2 * DAY),
        finishedAt: ago(2 * DAY - 600_000),
        code: 'UPGRADE_NO_REPORT',
        reason: 'the new version did not report in within 300 s',
      });
      await upgrade(db, {
        deviceId: 'd-running',
        id: 'u2',
        to: '1.0.0',
        state: 'downloading',
        startedAt: ago(600_000),
      });
      await pushAttempt(db, {
        id: 'p1',
        deviceId: 'd-push-failed',
        host: 'd-push-failed',
        outcome: 'failed',
        code: 'PUSH_DISK_LOW',
        version: '1.0.0',
        startedAt: ago(DAY),
        finishedAt: ago(DAY - 60_000),
      });
      // A failed push, then a successful upgrade: the later attempt clears Failed.
      await pushAttempt(db, {
        id: 'p2',
        deviceId: 'd-healed',
        host: 'd-healed',
        outcome: 'failed',
        code: 'PUSH_AUTH_FAILED',
        version: '1.0.0',
        startedAt: ago(3 * DAY),
        finishedAt: ago(3 * DAY - 60_000),
      });
      await upgrade(db, {
        deviceId: 'd-healed',
        id: 'u3',
        to: '1.0.0',
        state: 'succeeded',
        startedAt: ago(2 * DAY),
        finishedAt: ago(2 * DAY - 60_000),
      });
      // A failed push to a machine that never became a device: counted in the failure chart.
      await pushAttempt(db, {
        id: 'p3',
        deviceId: null,
        host: '127.0.0.9',
        outcome: 'failed',
        code: 'PUSH_UNREACHABLE',
        version: '1.0.0',
        startedAt: ago(8 * DAY),
        finishedAt: ago(8 * DAY - 5000),
      });
      await seedCollection(db, 'preprod', ['site-server', 'd-pre-waiting', 'd-excluded']);
      await seedCollection(db, 'no-preprod', ['d-excluded']);
      await seedCollection(db, 'web', ['d-ok', 'd-check', 'd-gone']);
      const versions = new AgentVersionService(ctx);
      // Production 1.0.0 five days ago (its 24-hour window closed); pre-production two hours ago.
      await versions.updateSettings(ADMIN, { productionVersion: '1.0.0' });
      clock.advanceMinutes((5 * 24 - 2) * 60);
      await versions.updateSettings(ADMIN, {
        preproductionVersion: '1.1.0',
        preproductionCollectionId: 'c-preprod',
        exclusionCollectionId: 'c-no-preprod',
      });
      clock.advanceMinutes(2 * 60);
      expect(clock.now().toISOString()).toBe(NOW.toISOString());
    }, 120_000);
    afterAll(async () => {
      await cleanup();
    });

    it('gives every production device its state, with the reason, per docs/client-deployment.md', async () => {
      const summary = await service.summary(ADMIN, {});
      expect(summary).toMatchObject({
        rollout: 'production',
        collectionId: 'all-systems',
        expectedVersion: '1.0.0',
        expectedSince: ago(5 * DAY),
        pushRunning: false,
      });
      const states = await list({});
      const stateOf = (id: string) => [states.get(id)?.state, states.get(id)?.reason];
      expect(stateOf('d-ok')).toEqual([
        'compliant',
        'runs production version 1.0.0 and passed its client check',
      ]);
      expect(stateOf('d-check')).toEqual([
        'noncompliant',
        'runs production version 1.0.0 but client check failed: disk-space',
      ]);
      expect(stateOf('d-old')[0]).toBe('noncompliant');
      expect(stateOf('d-old')[1]).toContain('runs 0.9.0, expected production version 1.0.0');
      expect(stateOf('d-gone')[0]).toBe('unknown');
      expect(stateOf('d-rollback')).toEqual([
        'failed',
        'agent upgrade rolled-back: UPGRADE_NO_REPORT: the new version did not report in within 300 s',
      ]);
      expect(stateOf('d-running')[0]).toBe('in-progress');
      expect(stateOf('d-push-failed')).toEqual(['failed', 'client push failed: PUSH_DISK_LOW']);
      expect(stateOf('d-healed')[0]).toBe('compliant');
      expect(stateOf('d-new')[0]).toBe('not-started');
      expect(stateOf('d-excluded')[0]).toBe('compliant');
      // Pre-production devices are on the other dashboard only.
      expect(states.has('site-server')).toBe(false);
      expect(summary.counts).toEqual({
        'not-started': 1,
        'in-progress': 1,
        compliant: 3,
        noncompliant: 2,
        failed: 2,
        unknown: 1,
      });
      expect(summary.total).toBe(10);
      // The drill-down carries the install log: the push attempt's lines, the upgrade's reason.
      expect(states.get('d-push-failed')?.attempt).toMatchObject({
        kind: 'push',
        id: 't-p1',
        errorCode: 'PUSH_DISK_LOW',
      });
      expect(states.get('d-push-failed')?.attempt?.log[0]).toContain(
        'attempt 1 at d-push-failed:22',
      );
      expect(states.get('d-rollback')?.attempt?.log[0]).toContain('did not report in');
    });

    it('shows a site-role host in the pre-production collection in its true state, with its rollout', async () => {
      const summary = await service.summary(ADMIN, { rollout: 'pre-production' });
      expect(summary.expectedVersion).toBe('1.1.0');
      expect(summary.counts).toMatchObject({ compliant: 1, 'not-started': 1 });
      expect(summary.total).toBe(2);
      const states = await list({ rollout: 'pre-production' });
      expect(states.get('site-server')).toMatchObject({
        state: 'compliant',
        reason: 'runs pre-production version 1.1.0 (no client check yet)',
      });
      expect(states.get('d-pre-waiting')?.state).toBe('not-started');
      expect(states.get('d-pre-waiting')?.reason).toBe(
        `runs 1.0.0; upgrades to pre-production version 1.1.0 by ${new Date(NOW.getTime() + 22 * 3600_000).toISOString()}`,
      );
    });

    it('scopes to a collection, filters by state and pages', async () => {
      const web = await service.summary(ADMIN, { collection: 'web' });
      expect(web).toMatchObject({ collectionName: 'web', total: 3 });
      expect(web.counts).toMatchObject({ compliant: 1, noncompliant: 1, unknown: 1 });
      const failed = await service.devices(ADMIN, { state: 'failed', limit: 1 });
      expect(failed.total).toBe(2);
      expect(failed.items).toHaveLength(1);
      await expect(service.summary(ADMIN, { collection: 'nope' })).rejects.toMatchObject({
        code: 'COLLECTION_NOT_FOUND',
      });
    });

    it('buckets failed client deployments by day and week, with their reasons', async () => {
      const days = await service.failures(ADMIN, { period: 'day', buckets: 10 });
      expect(days.buckets).toHaveLength(10);
      expect(days.buckets[9]?.start).toBe('2026-12-06T00:00:00.000Z');
      const byDay = new Map(days.buckets.map((b) => [b.start.slice(0, 10), b]));
      expect(byDay.get('2026-12-05')).toMatchObject({ push: 1, upgrade: 0 });
      expect(byDay.get('2026-12-04')).toMatchObject({ push: 0, upgrade: 1 });
      expect(byDay.get('2026-12-03')).toMatchObject({ push: 1 });
      expect(byDay.get('2026-11-28')?.reasons).toEqual([
        { kind: 'push', code: 'PUSH_UNREACHABLE', count: 1 },
      ]);
      expect(days.reasons).toHaveLength(4);
      const weeks = await service.failures(ADMIN, { period: 'week', buckets: 2 });
      expect(weeks.buckets.map((b) => [b.start.slice(0, 10), b.push, b.upgrade])).toEqual([
        ['2026-11-23', 1, 0],
        ['2026-11-30', 2, 1],
      ]);
    });

    it('reports status by collection and failed deployments with reasons', async () => {
      const rows = await service.byCollection(ADMIN, {});
      const web = rows.find((r) => r.collectionName === 'web');
      expect(web).toMatchObject({ total: 3, compliantPercent: 33.3 });
      expect(rows.find((r) => r.collectionId === 'all-systems')?.total).toBe(10);
      const failures = await service.failureReport(ADMIN, {});
      expect(failures.map((f) => f.code)).toEqual([
        'PUSH_DISK_LOW',
        'UPGRADE_NO_REPORT',
        'PUSH_AUTH_FAILED',
        'PUSH_UNREACHABLE',
      ]);
      expect(failures[0]).toMatchObject({
        kind: 'push',
        target: 'd-push-failed:22',
        reason: 'PUSH_DISK_LOW: as the test says',
      });
    });

    it('computes 10,000 devices in one request (dashboard, a page, the report)', async () => {
      const db = ctx.db.kysely;
      const rows = Array.from({ length: 10_000 }, (_, i) => ({
        id: `bulk-${String(i).padStart(5, '0')}`,
        name: `bulk-${String(i).padStart(5, '0')}`,
        key_hash: 'x',
        enrolled_at: ago(40 * DAY),
        ip_addresses: '',
        agent_version: i % 2 === 0 ? '1.0.0' : '0.9.0',
        package_count: 0,
        inventory_resync: 0,
        last_contact_at: ago(3600_000),
        last_heartbeat_at: ago(3600_000),
      }));
      for (let i = 0; i < rows.length; i += 500)
        await db
          .insertInto('device')
          .values(rows.slice(i, i + 500))
          .execute();
      const summary = await service.summary(ADMIN, {});
      expect(summary.total).toBe(10_010);
      expect(summary.counts.compliant).toBe(3 + 5000);
      expect(summary.counts.noncompliant).toBe(2 + 5000);
      const page = await service.devices(ADMIN, { state: 'noncompliant', offset: 5000, limit: 10 });
      expect(page).toMatchObject({ total: 5002 });
      expect(page.items).toHaveLength(2);
      const report = await service.byCollection(ADMIN, {});
      expect(report.find((r) => r.collectionId === 'all-systems')?.total).toBe(10_010);
    }, 120_000);
  });
});
