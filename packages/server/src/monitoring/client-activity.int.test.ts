import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  ApiClient,
  MAX_INTERVAL_SECONDS,
  ops,
  StatusMessages,
  type DeviceSummary,
  type SiteSettings,
} from '@steward/protocol';
import { freshDatabaseUrl, postgresReachable, testDialects } from '../../test/support/db.js';
import { enrolAgent, waitFor, type AgentHandle } from '../../../../test-support/site.js';
import { createMigrator, migrateToLatest, openDatabase } from '../db/database.js';
import { startServer, type RunningServer } from '../server.js';
import { snapshotClientActivity } from './client-activity.js';

/*
 * Client activity end to end (issue 9, ADR 0029): an in-process site server whose clock the test
 * moves, two real agent processes on the real protocol, a real database (SQLite and PostgreSQL).
 * Agent A keeps its push channel and is otherwise quiet (every interval at its maximum); agent B
 * is stopped. The probe reaches only a listener the test opens on 127.0.0.1.
 */

const pgUp = await postgresReachable();
if (!pgUp) console.warn('PostgreSQL unreachable: client-activity postgres cases are SKIPPED');
const DAY = 86400_000;
const PASSWORD = 'activity-test-password';

/** Every agent interval at its maximum: after enrolment the agents send nothing for days. */
const QUIET = {
  policyIntervalSeconds: MAX_INTERVAL_SECONDS,
  heartbeatIntervalSeconds: MAX_INTERVAL_SECONDS,
  inventoryIntervalSeconds: 30 * 86400,
  softwareScanIntervalSeconds: MAX_INTERVAL_SECONDS,
  clientCheckIntervalSeconds: MAX_INTERVAL_SECONDS,
  softwareScanPaths: ['/usr/local/bin'],
};

const THRESHOLDS = [
  'inactivePolicyRequestDays',
  'inactiveHeartbeatDays',
  'inactiveHardwareInventoryDays',
  'inactiveSoftwareInventoryDays',
  'inactiveStatusMessageDays',
] as const;

describe.each(testDialects)('client activity on %s', (dialect) => {
  const skip = dialect === 'postgres' && !pgUp;
  let dir = '';
  let server: RunningServer;
  let api: ApiClient;
  let cleanupDb: () => Promise<void> = () => Promise.resolve();
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  let a: AgentHandle;
  let b: AgentHandle;
  let listener: Server | undefined;

  const ctx = () => {
    if (!server.ctx) throw new Error('no site context');
    return server.ctx;
  };
  /** Moves the site's clock to `days` after the start; sessions are signed in again. */
  async function jumpTo(days: number): Promise<void> {
    offsetMs = days * DAY;
    api.setToken((await api.login('admin', PASSWORD)).token);
  }
  const device = (h: AgentHandle): Promise<DeviceSummary> => api.getDevice(h.deviceId);
  const settings = (patch: Partial<SiteSettings>) => api.updateSiteSettings(patch);
  const runCheck = () => api.call(ops.clientActivity.runCheck, {});
  async function messages(id: number, deviceId?: string) {
    const r = await api.listStatusMessages({ messageId: id, limit: 100 });
    return r.items.filter((m) => deviceId === undefined || m.deviceId === deviceId);
  }
  const setAddresses = (h: AgentHandle, addresses: string) =>
    ctx()
      .db.kysely.updateTable('device')
      .set({ ip_addresses: addresses })
      .where('id', '=', h.deviceId)
      .execute();

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'steward-activity-'));
    const db = freshDatabaseUrl(dialect);
    cleanupDb = db.cleanup;
    server = await startServer({
      dataDir: join(dir, 'server'),
      db: db.url,
      adminListen: '127.0.0.1:0',
      agentListen: '127.0.0.1:0',
      adminPassword: PASSWORD,
      logLevel: 'warn',
      clock,
    });
    api = new ApiClient({ baseUrl: server.adminUrl });
    api.setToken((await api.login('admin', PASSWORD)).token);
    await api.updateClientSettings(QUIET);
    const token = await api.createToken({ description: 'activity', maxUses: 2 });
    a = await enrolAgent(token.token ?? '', join(dir, 'agent-a'));
    b = await enrolAgent(token.token ?? '', join(dir, 'agent-b'));
    a.start();
    b.start();
    // A's inventory runs daily through a client settings object on its collection; B's is the
    // site's 30 days (the inventory report reads each device's resultant interval).
    const dc = await api.createCollection({
      name: 'Data centre',
      rules: [{ kind: 'direct', deviceId: a.deviceId }],
    });
    await waitFor(
      'Data centre evaluated',
      async () => (await api.getCollection(dc.id)).memberCount === 1,
    );
    await api.call(ops.clientSettingsObjects.create, {
      body: { name: 'Servers daily', priority: 1, settings: { inventoryIntervalSeconds: 86_400 } },
    });
    await api.call(ops.clientSettingsObjects.assign, {
      params: { id: 'Servers daily', collection: 'Data centre' },
    });
    listener = createServer((s) => s.end());
    await new Promise<void>((r) => listener?.listen(0, '127.0.0.1', r));
  }, 240_000);

  afterAll(async () => {
    if (skip) return;
    await a?.stop();
    await b?.stop();
    await new Promise((r) => (listener ? listener.close(r) : r(undefined)));
    await server?.close();
    await cleanupDb();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('records all five signals of each device as its agent reports', async () => {
    for (const h of [a, b]) {
      const d = await waitFor(
        'five signals',
        async () => {
          const d = await device(h);
          return d.lastPolicyRequestAt &&
            d.lastHeartbeatAt &&
            d.lastHardwareInventoryAt &&
            d.lastSoftwareInventoryAt &&
            d.lastStatusAt &&
            d.online
            ? d
            : undefined;
        },
        120_000,
        250,
      );
      expect(d).toMatchObject({ active: true, obsolete: false, activityCheckOutcome: null });
    }
    // A fetched the policy its object changed; both are quiet from here on.
    await waitFor('A on the current policy', async () => {
      const r = await api.call(ops.clientSettingsObjects.resultant, { params: { id: a.deviceId } });
      return r.devicePolicyVersion === r.policyVersion;
    });
    // Quiet from here: everything the agents queued has reached the site.
    for (const h of [a, b])
      await waitFor(
        'an empty outbox',
        () =>
          readdirSync(join(h.stateDir, 'outbox')).filter((f) => /^\d{20}\./.test(f)).length === 0,
        60_000,
        250,
      );
    await b.stop();
  });

  it.skipIf(skip)('keeps a device active by each signal within its own threshold', async () => {
    await jumpTo(3);
    for (const kind of THRESHOLDS) {
      const patch: Partial<SiteSettings> = {};
      for (const k of THRESHOLDS) patch[k] = k === kind ? 10 : 1;
      await settings(patch);
      expect((await device(b)).active, `${kind} within 10 days`).toBe(true);
    }
    for (const k of THRESHOLDS) await settings({ [k]: 1 });
    expect((await device(b)).active).toBe(false);
    const inactive = await api.call(ops.clientActivity.inactive, { query: {} });
    const rowB = inactive.find((r) => r.deviceId === b.deviceId);
    expect(rowB?.lastHeartbeatAt).not.toBeNull();
    expect(rowB?.lastSoftwareInventoryAt).not.toBeNull();
    const listed = await api.listDevices({ status: 'inactive' });
    expect(listed.items.map((d) => d.id)).toContain(b.deviceId);
  });

  it.skipIf(skip)(
    "reports clients whose inventory missed their resultant settings' schedule",
    async () => {
      // Three days on: A's daily interval is long past, B's 30 days are not.
      const rows = await api.call(ops.clientActivity.inventoryOverdue, { query: {} });
      expect(rows.map((r) => r.deviceId)).toEqual([a.deviceId]);
      expect(rows[0]).toMatchObject({
        inventoryIntervalSeconds: 86_400,
        intervalSource: 'Servers daily',
      });
      expect(rows[0]?.overdueSeconds).toBeGreaterThan(86_400);
      const scoped = await api.call(ops.clientActivity.inventoryOverdue, {
        query: { collection: 'Data centre' },
      });
      expect(scoped).toHaveLength(1);
      await expect(
        api.call(ops.clientActivity.inventoryOverdue, { query: { collection: 'nope' } }),
      ).rejects.toMatchObject({ code: 'COLLECTION_NOT_FOUND' });
    },
  );

  it.skipIf(skip)(
    'pings a connected quiet agent (it stays active) and probes a silent one',
    async () => {
      for (const k of THRESHOLDS) await settings({ [k]: 7 });
      await jumpTo(8);
      await settings({ activityProbePort: Number((listener?.address() as { port: number }).port) });
      await setAddresses(b, '127.0.0.1');
      expect((await device(a)).active).toBe(false);
      // The push channel's keepalive refreshes presence under the moved clock within 30 s.
      await waitFor('A online', async () => (await device(a)).online, 90_000, 500);
      const run = await runCheck();
      expect(run).toMatchObject({ checked: 2, pingAnswered: 1, probeAnswered: 1, noAnswer: 0 });
      expect(await device(a)).toMatchObject({
        active: true,
        activityCheckOutcome: 'ping-answered',
      });
      const silent = await device(b);
      expect(silent).toMatchObject({ active: false, activityCheckOutcome: 'probe-answered' });
      expect(silent.activityCheckDetail).toMatch(/^127\.0\.0\.1:\d+ open$/);
      expect(
        await messages(StatusMessages.CLIENT_ACTIVITY_PING_ANSWERED.id, a.deviceId),
      ).toHaveLength(1);
      expect(
        await messages(StatusMessages.CLIENT_ACTIVITY_PROBE_ANSWERED.id, b.deviceId),
      ).toHaveLength(1);
      const inactive = await api.call(ops.clientActivity.inactive, { query: {} });
      expect(inactive.map((r) => r.deviceId)).toEqual([b.deviceId]);
      // Checked once: the next run leaves both alone until the recheck is due.
      expect(await runCheck()).toMatchObject({ checked: 0 });
      // A day on, B with no known address: nothing answers.
      await jumpTo(9);
      await setAddresses(b, '');
      expect(await runCheck()).toMatchObject({ checked: 1, noAnswer: 1 });
      expect(await device(b)).toMatchObject({
        activityCheckOutcome: 'no-answer',
        activityCheckDetail: 'no known address',
      });
      expect(await messages(StatusMessages.CLIENT_ACTIVITY_NO_ANSWER.id, b.deviceId)).toHaveLength(
        1,
      );
    },
  );

  it.skipIf(skip)(
    'marks a device obsolete after 90 days without a heartbeat, until it reports',
    async () => {
      await jumpTo(91);
      await waitFor('A online', async () => (await device(a)).online, 90_000, 500);
      const run = await runCheck();
      expect(run).toMatchObject({ markedObsolete: 1, removed: 0 });
      expect(await device(b)).toMatchObject({ obsolete: true, active: false });
      expect(await device(a)).toMatchObject({ obsolete: false, active: true });
      const activity = await api.clientActivity();
      expect(activity).toMatchObject({ total: 1, active: 1, obsolete: 1 });
      expect((await api.listDevices({ status: 'obsolete' })).items.map((d) => d.id)).toEqual([
        b.deviceId,
      ]);
      expect(await messages(StatusMessages.CLIENT_OBSOLETE.id, b.deviceId)).toHaveLength(1);
      // B comes back: it is no longer obsolete at once; the next run clears the mark and says so.
      b.start();
      await waitFor('B back', async () => !(await device(b)).obsolete, 120_000, 250);
      expect((await runCheck()).noLongerObsolete).toBe(1);
      expect(await messages(StatusMessages.CLIENT_NO_LONGER_OBSOLETE.id, b.deviceId)).toHaveLength(
        1,
      );
      expect((await device(b)).obsoleteAt).toBeNull();
      await b.stop();
    },
  );

  it.skipIf(skip)('removes obsolete devices when the site says so, with an audit row', async () => {
    await jumpTo(200);
    await settings({ removeObsoleteDevices: true });
    await waitFor('A online', async () => (await device(a)).online, 90_000, 500);
    const run = await runCheck();
    expect(run).toMatchObject({ markedObsolete: 1, removed: 1 });
    await expect(device(b)).rejects.toMatchObject({ status: 404 });
    expect((await device(a)).active).toBe(true);
    const audit = await api.listAudit({ targetType: 'device', targetId: b.deviceId });
    expect(audit.map((e) => e.action)).toEqual(['device.remove-obsolete']);
    expect(await messages(StatusMessages.CLIENT_OBSOLETE_REMOVED.id, b.deviceId)).toHaveLength(1);
    // The device's own rows went with it (memberships, inventory).
    const left = await ctx()
      .db.kysely.selectFrom('device_inventory')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('device_id', '=', b.deviceId)
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
    await settings({ removeObsoleteDevices: false });
  });

  it.skipIf(skip)(
    'keeps 31 days of client status history, one point per day in the chart',
    async () => {
      const db = ctx().db.kysely;
      const now = clock.now().getTime();
      for (const daysAgo of [40, 32, 10, 2])
        await db
          .insertInto('client_activity_snapshot')
          .values({
            collection_id: 'all-systems',
            at: new Date(now - daysAgo * DAY).toISOString(),
            active: daysAgo,
            inactive: 0,
          })
          .execute();
      await snapshotClientActivity(ctx());
      const left = await db
        .selectFrom('client_activity_snapshot')
        .select('at')
        .where('collection_id', '=', 'all-systems')
        .where(sql<boolean>`at < ${new Date(now - 31 * DAY).toISOString()}`)
        .execute();
      expect(left).toEqual([]);
      const activity = await api.clientActivity({ days: 31 });
      expect(activity.daily.map((p) => p.active).slice(0, 2)).toEqual([10, 2]);
      await expect(api.clientActivity({ days: 32 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    },
  );
});

describe.each(testDialects)('the client activity migration on %s', (dialect) => {
  it.skipIf(dialect === 'postgres' && !pgUp)(
    "carries a site's old activity threshold into the five thresholds",
    async () => {
      const fresh = freshDatabaseUrl(dialect);
      const db = await openDatabase(fresh.url);
      try {
        await createMigrator(db).migrateTo('20261206T1405-agent-upgrades');
        await sql`insert into site_setting (key, value) values ('site_settings', ${JSON.stringify({ activeThresholdDays: 14, statusMessageRetentionDays: 30 })})`.execute(
          db.kysely,
        );
        await migrateToLatest(db);
        const row = await db.kysely
          .selectFrom('site_setting')
          .select('value')
          .where('key', '=', 'site_settings')
          .executeTakeFirstOrThrow();
        expect(JSON.parse(row.value)).toEqual({
          statusMessageRetentionDays: 30,
          inactivePolicyRequestDays: 14,
          inactiveHeartbeatDays: 14,
          inactiveHardwareInventoryDays: 14,
          inactiveSoftwareInventoryDays: 14,
          inactiveStatusMessageDays: 14,
        });
      } finally {
        await db.close();
        await fresh.cleanup();
      }
    },
  );
});
