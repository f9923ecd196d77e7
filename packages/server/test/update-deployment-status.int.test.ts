/**
 * Update deployment monitoring beyond what devices report (issue 10, ADR 0073), on both
 * dialects: the site-derived states (agent stopped, not communicating, offline) in the status
 * API and in `v_update_deployment_status`, which must agree; the five deployment-status reports
 * on that view; `GET /updates/:id`; and the software deployment an update deployment owns,
 * refused by the ordinary deployments API. A real in-process site, a real signed upstream apt
 * repository on 127.0.0.1, the group's site-signed approved content really published, devices
 * enrolled and reporting through the real agent endpoint. A device's history ("last heard ten
 * days ago") is the one thing written into its row: no test can wait ten days.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armorKeyring, ops, type UpdateDeployment } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
} from '../../../test-support/apt-repo.js';
import { waitFor } from '../../../test-support/site.js';
import { postgresReachable, testDialects } from './support/db.js';
import {
  agentCall,
  enrolDevice,
  refusal,
  startTestServer,
  writtenRows,
  type TestDevice,
  type TestServer,
} from './support/deployments.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL is unreachable: the postgres case of update-deployment-status is SKIPPED',
  );

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const dialects = pgUp ? testDialects : testDialects.filter((d) => d === 'sqlite');

describe.each(dialects)('update deployment status on %s', (dialect) => {
  let dir: string;
  let key: SigningKey;
  let http: { url: string; server: Server };
  let t: TestServer;
  let updateId: string;
  let deployment: UpdateDeployment;
  const devices: Record<string, TestDevice> = {};

  /** One outbox item through the real agent endpoint, acknowledged. */
  async function report(device: TestDevice, type: string, body: unknown): Promise<void> {
    const r = await agentCall(t.server.agentUrl, 'POST', '/agent/v1/reports', {
      auth: device.auth,
      body: { items: [{ seq: Date.now(), type, body }] },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect((r.json as { rejected?: unknown[] }).rejected ?? []).toEqual([]);
  }

  async function lastHeard(device: TestDevice, agoMs: number): Promise<void> {
    await t.db
      .updateTable('device')
      .set({ last_contact_at: new Date(Date.now() - agoMs).toISOString() })
      .where('id', '=', device.deviceId)
      .execute();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-upd-status-'));
    key = createSigningKey(dir);
    const upstream = join(dir, 'upstream');
    writeSuite(upstream, {
      suite: 'stable-security',
      key,
      packages: [{ name: 'hello-status', version: '2.0-1' }],
    });
    http = await serveDirectory(upstream);
    t = await startTestServer(dialect);
    const source = await t.api.call(ops.updateCatalog.createSource, {
      body: {
        name: 'Upstream',
        url: http.url,
        suite: 'stable-security',
        components: ['main'],
        architectures: ['amd64'],
        keyring: armorKeyring(readFileSync(key.keyringFile)),
      },
    });
    await t.api.call(ops.updateCatalog.syncSource, { params: { id: source.id } });
    const [update] = await waitFor('the catalog', async () => {
      const page = await t.api.call(ops.updateCatalog.listUpdates, { query: {} });
      return page.items.length === 1 ? page.items : undefined;
    });
    updateId = update?.id ?? '';
    for (const name of ['ok-01', 'stopped-01', 'silent-01', 'away-01'])
      devices[name] = await enrolDevice(t, name);
    const c = await t.api.createCollection({
      name: 'Patched',
      rules: Object.values(devices).map((d) => ({ kind: 'direct' as const, deviceId: d.deviceId })),
    });
    await waitFor(
      'the collection',
      async () => (await t.api.getCollection(c.id)).memberCount === 4,
    );
    const g = await t.api.call(ops.updateGroups.createGroup, {
      body: { name: 'December', updateIds: [updateId] },
    });
    await t.api.call(ops.updateGroups.publishContent, { params: { id: g.id } });
    deployment = await t.api.call(ops.updateDeployments.createUpdateDeployment, {
      body: { name: 'December rollout', groupId: g.id, collectionId: c.id },
    });
  }, 180_000);

  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => http?.server.close(r));
    if (key) disposeSigningKey(key);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers one update by id, and UPDATE_NOT_FOUND for an id the catalog lacks', async () => {
    const u = await t.api.call(ops.updateCatalog.getUpdate, { params: { id: updateId } });
    expect(u).toMatchObject({ id: updateId, package: 'hello-status', version: '2.0-1' });
    expect(u.binaries.map((b) => b.package)).toEqual(['hello-status']);
    expect(
      await refusal(t.api.call(ops.updateCatalog.getUpdate, { params: { id: 'no-such-update' } })),
    ).toMatchObject({ status: 404, code: 'UPDATE_NOT_FOUND' });
  });

  it('refuses changes to the owned software deployment, naming the update deployment', async () => {
    const id = deployment.deploymentId;
    const before = await writtenRows(t.db);
    const owned = {
      status: 409,
      code: 'DEPLOYMENT_OWNED_BY_UPDATE_DEPLOYMENT',
      details: { updateDeploymentId: deployment.id, updateDeploymentName: 'December rollout' },
    };
    // Asked one at a time: a refusal made up front would go unhandled while another is awaited.
    const attempts = [
      () => t.api.call(ops.deployments.update, { params: { id }, body: { enabled: false } }),
      () =>
        t.api.call(ops.deployments.update, {
          params: { id },
          body: { triggers: [{ type: 'at', start: '2040-01-01T00:00' }] },
        }),
      () => t.api.call(ops.deployments.remove, { params: { id } }),
      () => t.api.call(ops.deployments.rerun, { params: { id }, body: {} }),
      () =>
        t.api.call(ops.deployments.addAssignment, {
          params: { id },
          body: { at: '2040-01-01T00:00' },
        }),
    ];
    for (const attempt of attempts) expect(await refusal(attempt())).toMatchObject(owned);
    expect(await writtenRows(t.db)).toEqual(before);
    // Reading it stays open, and its owner still changes it.
    expect((await t.api.call(ops.deployments.get, { params: { id } })).enabled).toBe(true);
    const off = await t.api.call(ops.updateDeployments.updateUpdateDeployment, {
      params: { id: deployment.id },
      body: { enabled: false },
    });
    expect(off.enabled).toBe(false);
    expect((await t.api.call(ops.deployments.get, { params: { id } })).enabled).toBe(false);
    await t.api.call(ops.updateDeployments.updateUpdateDeployment, {
      params: { id: deployment.id },
      body: { enabled: true },
    });
  });

  it('derives offline, not communicating and agent stopped, the same in the API and the view', async () => {
    const ok = devices['ok-01'];
    const stopped = devices['stopped-01'];
    const silent = devices['silent-01'];
    const away = devices['away-01'];
    if (!ok || !stopped || !silent || !away) throw new Error('devices missing');
    // ok-01 ran the install and failed on the dpkg lock: its own reason, not the site's.
    const status = await t.api.call(ops.updateDeployments.updateDeploymentStatus, {
      params: { id: deployment.id },
    });
    expect(status.unreachable).toEqual([]);
    await report(ok, 'deployment:state', {
      deploymentId: deployment.deploymentId,
      revision: 1,
      state: 'failed',
      at: new Date().toISOString(),
      reasonCode: 'DPKG_LOCKED',
      reason: 'the dpkg lock is held by another process',
      exitCode: 100,
    });
    await report(stopped, 'client-check:report', {
      at: new Date().toISOString(),
      mode: 'notify-only',
      trigger: 'schedule',
      results: [{ check: 'service', outcome: 'failed', detail: 'steward-agent.service inactive' }],
    });
    await lastHeard(stopped, 2 * HOUR);
    await lastHeard(silent, 2 * HOUR);
    await lastHeard(away, 10 * DAY);

    const after = await t.api.call(ops.updateDeployments.updateDeploymentStatus, {
      params: { id: deployment.id },
    });
    const site = Object.fromEntries(
      after.unreachable.map((d) => [d.hostname, [d.siteState, d.siteReason]]),
    );
    expect(site).toEqual({
      'stopped-01': [
        'agent-stopped',
        'the client check says the agent service is not running: steward-agent.service inactive',
      ],
      'silent-01': ['offline', expect.stringContaining('no push channel and no contact')],
      'away-01': [
        'not-communicating',
        expect.stringContaining('nothing heard since its last scan'),
      ],
    });
    expect(after.failures.map((d) => [d.hostname, d.reasonCode, d.siteState])).toEqual([
      ['ok-01', 'DPKG_LOCKED', null],
    ]);
    expect(after.byUpdate).toEqual([
      {
        updateId,
        package: 'hello-status',
        version: '2.0-1',
        counts: { failed: 1, 'agent-stopped': 1, offline: 1, 'not-communicating': 1 },
      },
    ]);

    // The view gives the same state per device and update, by the same rule.
    const rows = await sql<{ device_name: string; state: string; site_state: string | null }>`
      select device_name, state, site_state from v_update_deployment_status
      where update_deployment_id = ${deployment.id} order by device_name`.execute(t.db);
    const devicesPage = await t.api.call(ops.updateDeployments.updateDeploymentDevices, {
      params: { id: deployment.id },
      query: {},
    });
    expect(rows.rows.map((r) => [r.device_name, r.state])).toEqual(
      devicesPage.items.map((d) => [d.hostname, d.updates[0]?.state]),
    );
    expect(rows.rows.map((r) => r.site_state)).toEqual(devicesPage.items.map((d) => d.siteState));
  });

  it('runs the deployment-status reports on the view', async () => {
    const run = async (id: string, parameters: Record<string, string> = {}) => {
      const r = await t.api.call(ops.sqlReports.run, { params: { id }, body: { parameters } });
      return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
    };
    expect(await run('update-deployment-status-summary')).toEqual([
      {
        update_deployment_name: 'December rollout',
        group_name: 'December',
        collection_name: 'Patched',
        enabled: expect.anything(),
        targeted: 4,
        succeeded: 0,
        reboot_pending: 0,
        failed: 1,
        in_progress: 0,
        unreachable: 3,
      },
    ]);
    const deployment_ = { deployment: 'December rollout' };
    expect(await run('update-deployment-status-by-update', deployment_)).toEqual([
      {
        package: 'hello-status',
        version: '2.0-1',
        installed: 0,
        succeeded: 0,
        failed: 1,
        in_progress: 0,
        unreachable: 3,
        removed: 0,
        update_id: updateId,
      },
    ]);
    const failures = await run('update-deployment-failures');
    expect(failures.map((f) => [f.failure, f.computers]).sort()).toEqual([
      ['DPKG_LOCKED', 1],
      ['agent-stopped', 1],
      ['not-communicating', 1],
      ['offline', 1],
    ]);
    const errors = await run('update-deployment-error-computers', { deployment: deployment.id });
    expect(errors.map((e) => [e.device_name, e.device_state, e.reason_code])).toEqual([
      ['away-01', 'not-communicating', null],
      ['ok-01', 'failed', 'DPKG_LOCKED'],
      ['silent-01', 'offline', null],
      ['stopped-01', 'agent-stopped', null],
    ]);
    expect(errors.find((e) => e.device_name === 'ok-01')?.reason).toBe(
      'the dpkg lock is held by another process',
    );
    const inState = await run('computers-in-deployment-state', {
      update: 'hello-status',
      state: 'offline',
    });
    expect(inState.map((r) => [r.device_name, r.update_deployment_name, r.state])).toEqual([
      ['silent-01', 'December rollout', 'offline'],
    ]);
  });
});
