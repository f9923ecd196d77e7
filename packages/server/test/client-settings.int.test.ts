/**
 * Client settings per collection (issue 9, ADR 0025) end to end: a real site server process,
 * real `steward-agent run` processes, two client settings objects on overlapping collections
 * with different priorities. Each agent's stored policy (policy.json, verified and applied by
 * the agent) carries the winner of each value; the device page's operation names the source.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  ApiError,
  ErrorCode,
  ops,
  type ClientSettings,
  type ResultantClientSettings,
} from '@steward/protocol';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD,
  waitFor,
  type AgentHandle,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

/** The settings of the policy the agent last accepted (it writes only what it verified). */
function agentSettings(agent: AgentHandle): ClientSettings | undefined {
  try {
    const stored: unknown = JSON.parse(readFileSync(join(agent.stateDir, 'policy.json'), 'utf8'));
    if (typeof stored !== 'object' || stored === null || !('payload' in stored)) return undefined;
    if (typeof stored.payload !== 'string') return undefined;
    const doc: unknown = JSON.parse(stored.payload);
    if (typeof doc !== 'object' || doc === null || !('settings' in doc)) return undefined;

    return doc.settings as ClientSettings;
  } catch {
    return undefined;
  }
}

async function agentReceives(agent: AgentHandle, expected: Partial<ClientSettings>): Promise<void> {
  await waitFor(
    `agent ${agent.deviceId} applying ${JSON.stringify(expected)}`,
    () => {
      const s = agentSettings(agent);
      return (
        s !== undefined &&
        Object.entries(expected).every(([k, v]) => s[k as keyof ClientSettings] === v)
      );
    },
    60_000,
    100,
  );
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return err instanceof ApiError ? err.code : String(err);
  }
}

const sourceOf = (r: ResultantClientSettings, key: string) =>
  r.values.find((v) => v.key === key)?.source;

describe.each(dialects)('client settings per collection (%s)', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  let api: ApiClient;
  let server: AgentHandle;
  let desktop: AgentHandle;

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 2 });
    api = site.api;
    [server, desktop] = site.agents as [AgentHandle, AgentHandle];
    for (const [name, members] of [
      ['Data centre', [server]],
      ['Everything', [server, desktop]],
    ] as const) {
      const c = await api.createCollection({
        name,
        rules: members.map((a) => ({ kind: 'direct' as const, deviceId: a.deviceId })),
      });
      await waitFor(`${name} evaluated`, async () => {
        return (await api.getCollection(c.id)).memberCount === members.length;
      });
    }
  }, 180_000);

  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(skip)(
    'delivers the winner of each value to each agent and names its source',
    async () => {
      const call = api.call.bind(api);
      const dc = await call(ops.clientSettingsObjects.create, {
        body: {
          name: 'Servers daily',
          description: 'Seed 004: data-centre servers inventory daily',
          priority: 1,
          settings: { inventoryIntervalSeconds: 86_400, heartbeatIntervalSeconds: 20 },
        },
      });
      const all = await call(ops.clientSettingsObjects.create, {
        body: {
          name: 'Others weekly',
          priority: 5,
          settings: { inventoryIntervalSeconds: 604_800, reportBatchSize: 100 },
        },
      });
      await call(ops.clientSettingsObjects.assign, {
        params: { id: dc.name, collection: 'Data centre' },
      });
      const assigned = await call(ops.clientSettingsObjects.assign, {
        params: { id: all.id, collection: 'Everything' },
      });
      expect(assigned.collections.map((c) => c.name)).toEqual(['Everything']);

      // Server: both objects apply; the lower number wins inventory, each value independently.
      await agentReceives(server, {
        inventoryIntervalSeconds: 86_400,
        heartbeatIntervalSeconds: 20,
        reportBatchSize: 100,
        policyIntervalSeconds: 30,
      });
      // Desktop: only the priority-5 object; the rest is the site's.
      await agentReceives(desktop, {
        inventoryIntervalSeconds: 604_800,
        heartbeatIntervalSeconds: 10,
        reportBatchSize: 100,
      });

      const r = await call(ops.clientSettingsObjects.resultant, {
        params: { id: server.deviceId },
      });
      expect(r.settings.inventoryIntervalSeconds).toBe(86_400);
      expect(sourceOf(r, 'inventoryIntervalSeconds')).toEqual({
        kind: 'object',
        objectId: dc.id,
        objectName: 'Servers daily',
        priority: 1,
        collectionId: expect.any(String),
        collectionName: 'Data centre',
      });
      expect(sourceOf(r, 'reportBatchSize')).toEqual(
        expect.objectContaining({ objectName: 'Others weekly', collectionName: 'Everything' }),
      );
      expect(sourceOf(r, 'policyIntervalSeconds')).toEqual({ kind: 'site' });
      const before = r.policyVersion;

      // Swapping precedence (1 -> 10) raises the policy version and the agent follows.
      await call(ops.clientSettingsObjects.update, {
        params: { id: dc.id },
        body: { priority: 10 },
      });
      await agentReceives(server, {
        inventoryIntervalSeconds: 604_800,
        heartbeatIntervalSeconds: 20,
      });
      const after = await call(ops.clientSettingsObjects.resultant, {
        params: { id: server.deviceId },
      });
      expect(after.policyVersion).toBeGreaterThan(before);
      expect(sourceOf(after, 'inventoryIntervalSeconds')).toEqual(
        expect.objectContaining({ objectName: 'Others weekly' }),
      );
      await waitFor('the heartbeat to report the new policy version', async () => {
        const now = await call(ops.clientSettingsObjects.resultant, {
          params: { id: server.deviceId },
        });
        return now.devicePolicyVersion === now.policyVersion;
      });

      // A device joining a collection gets the collection's settings (membership watch).
      await api.updateCollection('Data centre', {
        name: 'Data centre',
        rules: [server, desktop].map((a) => ({ kind: 'direct' as const, deviceId: a.deviceId })),
      });
      await agentReceives(desktop, { heartbeatIntervalSeconds: 20 });

      // Unassigning: what only that object set goes back to the site's value; the desktop's
      // inventory interval now comes from the data-centre object it joined above.
      await call(ops.clientSettingsObjects.unassign, {
        params: { id: all.id, collection: 'Everything' },
      });
      await agentReceives(desktop, { inventoryIntervalSeconds: 86_400, reportBatchSize: 500 });

      expect(
        (await call(ops.clientSettingsObjects.list, {})).map((o) => [o.name, o.priority]),
      ).toEqual([
        ['Others weekly', 5],
        ['Servers daily', 10],
      ]);
    },
    180_000,
  );

  it.skipIf(skip)(
    'refuses values outside the declarations, unknown keys and taken priorities',
    async () => {
      const call = api.call.bind(api);
      const body = (settings: unknown, priority = 50) => ({
        name: `bad-${priority}-${Math.random()}`,
        priority,

        settings: settings as Record<string, number>,
      });
      expect(
        await codeOf(
          call(ops.clientSettingsObjects.create, { body: body({ inventoryIntervalSeconds: 5 }) }),
        ),
      ).toBe(ErrorCode.INVALID_INPUT);
      expect(
        await codeOf(call(ops.clientSettingsObjects.create, { body: body({ noSuchSetting: 5 }) })),
      ).toBe(ErrorCode.INVALID_INPUT);
      await call(ops.clientSettingsObjects.create, {
        body: { name: 'P50', priority: 50, settings: {} },
      });
      expect(await codeOf(call(ops.clientSettingsObjects.create, { body: body({}, 50) }))).toBe(
        ErrorCode.CLIENT_SETTINGS_PRIORITY_TAKEN,
      );
      expect(
        await codeOf(
          call(ops.clientSettingsObjects.create, {
            body: { name: 'P50', priority: 51, settings: {} },
          }),
        ),
      ).toBe(ErrorCode.CLIENT_SETTINGS_NAME_TAKEN);
      expect(await codeOf(call(ops.clientSettingsObjects.get, { params: { id: 'nope' } }))).toBe(
        ErrorCode.CLIENT_SETTINGS_NOT_FOUND,
      );
      await call(ops.clientSettingsObjects.remove, { params: { id: 'P50' } });
      expect(await codeOf(call(ops.clientSettingsObjects.get, { params: { id: 'P50' } }))).toBe(
        ErrorCode.CLIENT_SETTINGS_NOT_FOUND,
      );
    },
  );

  it.skipIf(skip)('is driven from the CLI with the declared flags', async () => {
    const env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      NO_COLOR: '1',
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: api.token ?? '',
    };
    const steward = async (...args: string[]) => {
      const r = await exec(STEWARD, args, { env });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    await steward(
      'client-settings',
      'create',
      'Slow scan',
      '--priority',
      '3',
      '--software-scan-interval',
      '14d',
      '--report-batch-size',
      '42',
    );
    await steward('client-settings', 'assign', 'Slow scan', 'Everything');
    await agentReceives(desktop, { softwareScanIntervalSeconds: 14 * 86_400, reportBatchSize: 42 });
    const r: unknown = JSON.parse(
      await steward('client-settings', 'resultant', desktop.deviceId, '--json'),
    );
    expect(r).toEqual(
      expect.objectContaining({
        values: expect.arrayContaining([
          {
            key: 'softwareScanIntervalSeconds',
            value: 14 * 86_400,
            source: expect.objectContaining({
              objectName: 'Slow scan',
              collectionName: 'Everything',
            }),
          },
        ]),
      }),
    );
    expect(await steward('client-settings', 'resultant', desktop.deviceId)).toMatch(
      /Software scan\s+14 days\s+Slow scan \(priority 3\) via Everything/,
    );
    await steward('client-settings', 'update', 'Slow scan', '--unset', 'report-batch-size');
    const after: unknown = JSON.parse(
      await steward('client-settings', 'get', 'Slow scan', '--json'),
    );
    expect(after).toEqual(
      expect.objectContaining({ settings: { softwareScanIntervalSeconds: 14 * 86_400 } }),
    );
    expect(await steward('client-settings', 'list')).toMatch(/3\s+Slow scan\s+Everything/);
    await steward('client-settings', 'delete', 'Slow scan');
    await agentReceives(desktop, { softwareScanIntervalSeconds: 3600 });
  });
  it.skipIf(skip)(
    'nudges every online agent to fetch policy when the site settings change',
    async () => {
      const fetchRequests = async (agent: AgentHandle) =>
        (await api.call(ops.devices.actions, { params: { id: agent.deviceId } })).filter(
          (a) => a.action === 'policy:fetch' && a.requestedBy === site.adminUser,
        );
      const before = await Promise.all([server, desktop].map(fetchRequests));
      await api.updateClientSettings({ reportBatchSize: 77 });
      // One request per online agent, recorded with the change and delivered over its channel;
      // the agents apply the new value without waiting for their policy interval.
      for (const [i, agent] of [server, desktop].entries()) {
        const requests = await waitFor(
          `a delivered policy:fetch for ${agent.deviceId}`,
          async () => {
            const now = await fetchRequests(agent);
            return now.length === (before[i]?.length ?? 0) + 1 && now.every((a) => a.deliveredAt)
              ? now
              : undefined;
          },
        );
        expect(requests.every((a) => a.state !== 'not-connected')).toBe(true);
        await agentReceives(agent, { reportBatchSize: 77 });
      }
      await waitFor('both devices to report the current policy version', async () => {
        for (const agent of [server, desktop]) {
          const r = await api.call(ops.clientSettingsObjects.resultant, {
            params: { id: agent.deviceId },
          });
          if (r.devicePolicyVersion !== r.policyVersion) return false;
        }
        return true;
      });
    },
  );
});
