/**
 * What an administrator does to an update deployment that goes wrong (issue 10), on both
 * dialects: remove one update while the others continue, redeploy to the failed devices only,
 * and the restart a device's install left (ADR 0099) as the device list and the device's
 * deployments show it. A real in-process site, a real signed upstream apt repository on
 * 127.0.0.1, the group's site-signed approved content really published, devices enrolled and
 * reading their signed assignments and reporting through the real agent endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type UpdateDeployment } from '@steward/protocol';
import {
  deviceCollection,
  disposeUpstream,
  localUpstream,
  syncedSource,
  type LocalUpstream,
} from '../../../test-support/update-fixture.js';
import { postgresReachable, testDialects } from './support/db.js';
import {
  agentCall,
  enrolDevice,
  refusal,
  signedAssignments,
  startTestServer,
  writtenRows,
  type TestDevice,
  type TestServer,
} from './support/deployments.js';

const pgUp = await postgresReachable();
if (!pgUp)
  console.warn(
    'PostgreSQL is unreachable: the postgres case of update-deployment-actions is SKIPPED',
  );
const dialects = pgUp ? testDialects : testDialects.filter((d) => d === 'sqlite');

describe.each(dialects)('update deployment actions on %s', (dialect) => {
  let upstream: LocalUpstream | undefined;
  let t: TestServer;
  let collectionId: string;
  let ids: { web: string; lib: string };
  let deployment: UpdateDeployment;
  const devices: Record<string, TestDevice> = {};

  async function report(device: TestDevice, body: Record<string, unknown>): Promise<void> {
    const r = await agentCall(t.server.agentUrl, 'POST', '/agent/v1/reports', {
      auth: device.auth,
      body: {
        items: [{ seq: Date.now(), type: 'deployment:state', body: { revision: 1, ...body } }],
      },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect((r.json as { rejected?: unknown[] }).rejected ?? []).toEqual([]);
  }

  const assigned = async (device: TestDevice, d: UpdateDeployment) =>
    (await signedAssignments(t.server.agentUrl, device)).deployments.find(
      (x) => x.id === d.deploymentId,
    );

  const deviceRows = async (d: UpdateDeployment) =>
    (
      await t.api.call(ops.updateDeployments.updateDeploymentDevices, {
        params: { id: d.id },
        query: {},
      })
    ).items;

  beforeAll(async () => {
    upstream = await localUpstream('steward-upd-actions-', 'stable-security', [
      { name: 'web-daemon', version: '2.0-1' },
      { name: 'libthing1', version: '1.5-2' },
    ]);
    t = await startTestServer(dialect);
    await syncedSource(t.api, upstream, 'Upstream', 2);
    const updates = (await t.api.call(ops.updateCatalog.listUpdates, { query: {} })).items;
    const idOf = (p: string) => updates.find((u) => u.package === p)?.id ?? '';
    ids = { web: idOf('web-daemon'), lib: idOf('libthing1') };
    for (const name of ['good-01', 'bad-01']) devices[name] = await enrolDevice(t, name);
    collectionId = await deviceCollection(
      t.api,
      'Patched',
      Object.values(devices).map((d) => d.deviceId),
    );
    const g = await t.api.call(ops.updateGroups.createGroup, {
      body: { name: 'December', updateIds: [ids.web, ids.lib] },
    });
    await t.api.call(ops.updateGroups.publishContent, { params: { id: g.id } });
    deployment = await t.api.call(ops.updateDeployments.createUpdateDeployment, {
      body: { name: 'December rollout', groupId: g.id, collectionId },
    });
  }, 180_000);

  afterAll(async () => {
    await t?.stop();
    await disposeUpstream(upstream);
  });

  it('deploys chosen updates in one step, and refuses a bad selection writing nothing', async () => {
    const written = await writtenRows(t.db);
    const groupsBefore = (await t.api.call(ops.updateGroups.listGroups, {})).total;
    expect(
      await refusal(
        t.api.call(ops.updateDeployments.deploySelectedUpdates, {
          body: { updateIds: [ids.web, 'no-such-update'], collectionId },
        }),
      ),
    ).toMatchObject({ status: 400, code: 'UPDATE_GROUP_UPDATE_NOT_FOUND' });
    expect(
      await refusal(
        t.api.call(ops.updateDeployments.deploySelectedUpdates, {
          body: { updateIds: [ids.web], collectionId: 'no-such-collection' },
        }),
      ),
    ).toMatchObject({ status: 404, code: 'COLLECTION_NOT_FOUND' });
    expect(await writtenRows(t.db)).toEqual(written);
    expect((await t.api.call(ops.updateGroups.listGroups, {})).total).toBe(groupsBefore);

    const d = await t.api.call(ops.updateDeployments.deploySelectedUpdates, {
      body: {
        name: 'Web hotfix',
        updateIds: [ids.web],
        collectionId,
        deadline: '2040-01-01T22:00',
      },
    });
    expect(d).toMatchObject({
      name: 'Web hotfix',
      groupName: 'Web hotfix',
      deadline: '2040-01-01T22:00',
      updates: [{ updateId: ids.web, package: 'web-daemon', version: '2.0-1', removed: false }],
    });
    // An ordinary update deployment: the devices are told to install exactly that update.
    const good = devices['good-01'];
    if (!good) throw new Error('device missing');
    expect((await assigned(good, d))?.updateInstall?.updates.map((u) => u.updateId)).toEqual([
      ids.web,
    ]);
    // The name is the group's too: a second selection under it is refused, nothing written.
    expect(
      await refusal(
        t.api.call(ops.updateDeployments.deploySelectedUpdates, {
          body: { name: 'Web hotfix', updateIds: [ids.lib], collectionId },
        }),
      ),
    ).toMatchObject({ status: 409, code: 'UPDATE_GROUP_NAME_TAKEN' });
    await t.api.call(ops.updateDeployments.deleteUpdateDeployment, { params: { id: d.id } });
  });

  it('removes one update from a deployment while the other continues', async () => {
    const good = devices['good-01'];
    if (!good) throw new Error('device missing');
    const before = (await assigned(good, deployment))?.updateInstall?.updates.map(
      (u) => u.updateId,
    );
    expect(before?.sort()).toEqual([ids.web, ids.lib].sort());
    const after = await t.api.call(ops.updateDeployments.removeUpdateDeploymentUpdate, {
      params: { id: deployment.id, updateId: ids.lib },
    });
    expect(Object.fromEntries(after.updates.map((u) => [u.package, u.removed]))).toEqual({
      'web-daemon': false,
      libthing1: true,
    });
    expect(after.enabled).toBe(true);
    // The agents' signed assignments carry the remaining update only.
    expect(
      (await assigned(good, deployment))?.updateInstall?.updates.map((u) => u.updateId),
    ).toEqual([ids.web]);
    // Per device, the removed update shows `removed`; the other keeps the device's state.
    const rows = await deviceRows(deployment);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const states = Object.fromEntries(row.updates.map((u) => [u.updateId, u.state]));
      expect(states[ids.lib]).toBe('removed');
      expect(states[ids.web]).not.toBe('removed');
    }
    // An update already removed (or never deployed) and the last one left are refused, unchanged.
    const written = await writtenRows(t.db);
    expect(
      await refusal(
        t.api.call(ops.updateDeployments.removeUpdateDeploymentUpdate, {
          params: { id: deployment.id, updateId: ids.lib },
        }),
      ),
    ).toMatchObject({ status: 404, code: 'UPDATE_DEPLOYMENT_UPDATE_NOT_FOUND' });
    expect(
      await refusal(
        t.api.call(ops.updateDeployments.removeUpdateDeploymentUpdate, {
          params: { id: deployment.id, updateId: ids.web },
        }),
      ),
    ).toMatchObject({ status: 409, code: 'UPDATE_DEPLOYMENT_LAST_UPDATE' });
    expect(await writtenRows(t.db)).toEqual(written);
  });

  it('redeploys to the failed devices only', async () => {
    const good = devices['good-01'];
    const bad = devices['bad-01'];
    if (!good || !bad) throw new Error('devices missing');
    const id = deployment.deploymentId;
    // Nothing failed yet: nothing to run again, and nothing changes.
    expect(
      (
        await t.api.call(ops.updateDeployments.redeployFailed, {
          params: { id: deployment.id },
        })
      ).devices,
    ).toBe(0);
    await report(good, {
      deploymentId: id,
      state: 'succeeded',
      at: new Date().toISOString(),
      runId: 'run-good-1',
      exitCode: 0,
    });
    await report(bad, {
      deploymentId: id,
      state: 'failed',
      at: new Date().toISOString(),
      runId: 'run-bad-1',
      reasonCode: 'MISSING_PREREQUISITES',
      reason: 'web-daemon : Depends: libmissing (>= 3) but it is not installable',
      exitCode: 100,
    });
    const revisions = async () => ({
      good: (await assigned(good, deployment))?.revision,
      bad: (await assigned(bad, deployment))?.revision,
    });
    const was = await revisions();
    expect(was.good).toBe(was.bad);
    const r = await t.api.call(ops.updateDeployments.redeployFailed, {
      params: { id: deployment.id },
    });
    expect(r.devices).toBe(1);
    // Only the failed device is asked to run again (a revision above the one it ran).
    const now = await revisions();
    expect(now.good).toBe(was.good);
    expect(now.bad).toBe((was.bad ?? 0) + 1);
    const reruns = await t.db
      .selectFrom('deployment_rerun')
      .select('device_id')
      .where('deployment_id', '=', id)
      .execute();
    expect(reruns.map((x) => x.device_id)).toEqual([bad.deviceId]);
  });

  it("shows the restart an install left, per device and in the deployment's device list", async () => {
    const good = devices['good-01'];
    if (!good) throw new Error('device missing');
    const id = deployment.deploymentId;
    const restart = {
      reboot: true,
      services: ['nginx.service', 'ssh.service'],
      packages: ['libc6'],
      source: 'needrestart',
    };
    await report(good, {
      revision: 2,
      deploymentId: id,
      state: 'reboot-pending',
      at: new Date(Date.now() + 1000).toISOString(),
      runId: 'run-good-2',
      reasonCode: 'RESTART_PENDING',
      reason: 'restart countdown until …',
      restart,
    });
    const row = async () =>
      (await deviceRows(deployment)).find((d) => d.deviceId === good.deviceId);
    expect((await row())?.restart).toEqual(restart);
    const mine = await t.api.call(ops.deployments.ofDevice, {
      params: { id: good.deviceId },
    });
    expect(mine.find((d) => d.deploymentId === id)?.restart).toEqual(restart);
    // The same run reporting again (its countdown moved) keeps what it left.
    await report(good, {
      revision: 2,
      deploymentId: id,
      state: 'reboot-pending',
      at: new Date(Date.now() + 2000).toISOString(),
      runId: 'run-good-2',
      reasonCode: 'RESTART_PENDING',
      reason: 'final countdown',
    });
    expect((await row())?.restart).toEqual(restart);
    // A restart report out of its bounds is refused with the item, and changes nothing.
    const refused = await agentCall(t.server.agentUrl, 'POST', '/agent/v1/reports', {
      auth: good.auth,
      body: {
        items: [
          {
            seq: Date.now(),
            type: 'deployment:state',
            body: {
              deploymentId: id,
              revision: 2,
              state: 'succeeded',
              at: new Date(Date.now() + 3000).toISOString(),
              restart: { ...restart, source: 'guess' },
            },
          },
        ],
      },
    });
    expect(refused.json).toMatchObject({ rejected: [{ code: 'REPORT_ITEM_INVALID' }] });
    expect((await row())?.restart).toEqual(restart);
    // Another run's outcome without a restart answer clears it.
    await report(good, {
      revision: 3,
      deploymentId: id,
      state: 'succeeded',
      at: new Date(Date.now() + 4000).toISOString(),
      runId: 'run-good-3',
      exitCode: 0,
    });
    expect((await row())?.restart).toBeNull();
  });
});
