/**
 * The update scan schedule as a client setting per collection (issue 10, ADR 0064): a real site
 * server process and two real `steward-agent run` processes. A client settings object assigned
 * to one device's collection changes that agent's planned scan (interval and random start delay,
 * as `steward-agent status` shows the service's plan); the other agent keeps the site's default.
 * Observed through the agents' own state, never through timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  settingsDefaults,
  UpdateScanSettingsOptions,
  type ApiClient,
} from '@steward/protocol';
import {
  createTestSite,
  exec,
  pgReachable,
  STEWARD_AGENT,
  waitFor,
  type AgentHandle,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
const defaults = settingsDefaults(UpdateScanSettingsOptions);

interface Plan {
  intervalSeconds: number;
  randomDelaySeconds: number;
  nextAt: string;
  delaySeconds: number;
}

async function planOf(agent: AgentHandle): Promise<Plan | null> {
  const r = await exec(STEWARD_AGENT, ['status', '--json', '--state-dir', agent.stateDir]);
  const status = JSON.parse(r.stdout) as { updateScanSchedule: Plan | null };
  return status.updateScanSchedule;
}

/** Waits until the agent's planned scan uses `interval` and `delay`, and returns the plan. */
function planWith(agent: AgentHandle, interval: number, delay: number): Promise<Plan> {
  return waitFor(
    `${agent.deviceId} plans its update scan every ${interval} s, delay up to ${delay} s`,
    async () => {
      const p = await planOf(agent);
      return p?.intervalSeconds === interval && p.randomDelaySeconds === delay ? p : undefined;
    },
    60_000,
    200,
  );
}

describe.each(dialects)('update scan schedule per collection (%s)', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  let api: ApiClient;
  let a: AgentHandle;
  let b: AgentHandle;

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 2 });
    api = site.api;
    [a, b] = site.agents as [AgentHandle, AgentHandle];
    const c = await api.createCollection({
      name: 'Scanned daily',
      rules: [{ kind: 'direct' as const, deviceId: a.deviceId }],
    });
    await waitFor(
      'collection evaluated',
      async () => (await api.getCollection(c.id)).memberCount === 1,
    );
  }, 180_000);

  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(skip)(
    "a collection's client settings change its members' scan schedule, and only theirs",
    async () => {
      // Before any object: both agents plan with the declared defaults (weekly, up to 2 hours).
      const before = await planWith(
        a,
        defaults.updateScanIntervalSeconds,
        defaults.updateScanRandomDelaySeconds,
      );
      expect(before.delaySeconds).toBeLessThanOrEqual(defaults.updateScanRandomDelaySeconds);

      await api.call(ops.clientSettingsObjects.create, {
        body: {
          name: 'Daily update scan',
          priority: 1,
          settings: { updateScanIntervalSeconds: 86_400, updateScanRandomDelaySeconds: 0 },
        },
      });
      await api.call(ops.clientSettingsObjects.assign, {
        params: { id: 'Daily update scan', collection: 'Scanned daily' },
      });
      // The site resolves the member's settings from the object, with its source...
      const resultant = await api.call(ops.clientSettingsObjects.resultant, {
        params: { id: a.deviceId },
      });
      expect(resultant.settings.updateScanIntervalSeconds).toBe(86_400);
      expect(resultant.values.find((v) => v.key === 'updateScanIntervalSeconds')?.source).toEqual(
        expect.objectContaining({ kind: 'object', objectName: 'Daily update scan' }),
      );
      // ...and the agent, nudged to fetch its policy, plans the scan with them: no random delay.
      await api.requestDeviceAction(a.deviceId, 'policy:fetch');
      const daily = await planWith(a, 86_400, 0);
      expect(daily.delaySeconds).toBe(0);

      // The device outside the collection keeps the defaults.
      await api.requestDeviceAction(b.deviceId, 'policy:fetch');
      await waitFor('b has applied the current policy', async () => {
        const r = await api.call(ops.clientSettingsObjects.resultant, {
          params: { id: b.deviceId },
        });
        return r.devicePolicyVersion === r.policyVersion;
      });
      const other = await planOf(b);
      expect(other?.intervalSeconds).toBe(defaults.updateScanIntervalSeconds);
      expect(other?.randomDelaySeconds).toBe(defaults.updateScanRandomDelaySeconds);

      // A changed object changes the plan again (hourly, up to 10 minutes of delay).
      await api.call(ops.clientSettingsObjects.update, {
        params: { id: 'Daily update scan' },
        body: { settings: { updateScanIntervalSeconds: 3600, updateScanRandomDelaySeconds: 600 } },
      });
      await api.requestDeviceAction(a.deviceId, 'policy:fetch');
      const hourly = await planWith(a, 3600, 600);
      expect(hourly.delaySeconds).toBeLessThanOrEqual(600);

      // A value outside the declared limits is refused by the declaration itself.
      await expect(
        api.call(ops.clientSettingsObjects.update, {
          params: { id: 'Daily update scan' },
          body: { settings: { updateScanRandomDelaySeconds: 86_401 } },
        }),
      ).rejects.toThrow();
    },
    120_000,
  );
});
