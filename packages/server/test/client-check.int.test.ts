/**
 * The client check (issue 9, the ccmeval analog) end to end: a real site server process and
 * real `steward-agent run` processes. A `client-check:run` nudge makes the agent check itself
 * and report through its outbox; a corrupt policy cache is dropped and fetched again
 * (remediated), or only reported when the site sets notify-only; `steward-agent check` asks
 * the running service. The site keeps the latest result per device and summarises per
 * collection.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  StatusMessages,
  type ApiClient,
  type ClientCheckResult,
  type DeviceClientCheck,
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

const outcomeOf = (c: DeviceClientCheck | undefined, check: string) =>
  c?.latest?.results.find((r: ClientCheckResult) => r.check === check);

/** Waits for a client check run newer than `after` (ISO) and returns it. */
async function nextCheck(
  api: ApiClient,
  agent: AgentHandle,
  after: string,
): Promise<DeviceClientCheck> {
  return waitFor(
    `a client check from ${agent.deviceId} after ${after}`,
    async () => {
      const c = await api.call(ops.clientCheck.device, { params: { id: agent.deviceId } });
      return c.latest !== null && c.latest.at > after ? c : undefined;
    },
    60_000,
    200,
  );
}

describe.each(dialects)('client check (%s)', (dialect) => {
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
      name: 'Checked',
      rules: [a, b].map((x) => ({ kind: 'direct' as const, deviceId: x.deviceId })),
    });
    await waitFor(
      'collection evaluated',
      async () => (await api.getCollection(c.id)).memberCount === 2,
    );
  }, 180_000);

  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(skip)(
    'runs on a nudge, remediates a corrupt policy cache, reports per device and per collection',
    async () => {
      const start = new Date().toISOString();
      // A policy cache that no longer verifies: the agent keeps running on the one in memory.
      writeFileSync(join(a.stateDir, 'policy.json'), '{"payload":"{}","signature":"AAAA"}\n');
      await api.requestDeviceAction(a.deviceId, 'client-check:run');
      await api.requestDeviceAction(b.deviceId, 'client-check:run');
      const ra = await nextCheck(api, a, start);
      const rb = await nextCheck(api, b, start);
      expect(ra.latest?.trigger).toBe('nudge');
      expect(ra.latest?.mode).toBe('remediate');
      expect(outcomeOf(ra, 'state-directory')).toEqual(
        expect.objectContaining({
          outcome: 'remediated',
          detail: expect.stringMatching(/dropped corrupt .*policy\.json/),
        }),
      );
      // The service itself (no systemd unit here), the identity, the clock and the schedule pass.
      for (const check of [
        'service',
        'certificate',
        'clock-skew',
        'policy-fetch',
        'inventory',
        'outbox',
      ]) {
        expect(
          outcomeOf(rb, check)?.outcome,
          `${check}: ${outcomeOf(rb, check)?.detail ?? ''}`,
        ).toBe('passed');
      }
      // Repaired for real: the agent fetched and stored a policy that verifies again.
      const status = await exec(STEWARD_AGENT, ['status', '--json', '--state-dir', a.stateDir]);
      expect(JSON.parse(status.stdout)).toEqual(
        expect.objectContaining({ policyVersion: expect.any(Number) }),
      );

      const summary = await api.call(ops.clientCheck.collectionSummary, {
        params: { id: 'Checked' },
      });
      expect(summary.members).toBe(2);
      expect(summary.reported).toBe(2);
      expect(summary.checks.find((c) => c.check === 'state-directory')).toEqual({
        check: 'state-directory',
        passed: 1,
        failed: 0,
        remediated: 1,
      });
      // One status message per check that needed attention.
      await waitFor('CLIENT_CHECK_REMEDIATED for the state directory', async () => {
        const m = await api.listStatusMessages({
          deviceId: a.deviceId,
          messageId: StatusMessages.CLIENT_CHECK_REMEDIATED.id,
        });
        return m.items.some((x) => x.insertionStrings[0] === 'state-directory');
      });
    },
    120_000,
  );

  it.skipIf(skip)(
    'only reports when the site is notify-only; steward-agent check asks the service',
    async () => {
      await api.updateClientSettings({ clientCheckMode: 'notify-only' });
      // The stored policy is canonical JSON inside the signed envelope: its text names the mode.
      await waitFor('the agent to apply notify-only', () =>
        readFileSync(join(a.stateDir, 'policy.json'), 'utf8').includes(
          String.raw`\"clientCheckMode\":\"notify-only\"`,
        ),
      );
      const start = new Date().toISOString();
      writeFileSync(join(a.stateDir, 'policy.json'), '{"payload":"{}","signature":"AAAA"}\n');
      const r = await exec(STEWARD_AGENT, ['check', '--json', '--state-dir', a.stateDir]);
      // The command's own look repairs nothing; the service's run (asked by SIGUSR2) reports.
      expect(r.code, r.stderr).toBe(1);
      const printed: unknown = JSON.parse(r.stdout);
      expect(printed).toEqual(
        expect.objectContaining({ note: expect.stringMatching(/running service/) }),
      );
      const c = await nextCheck(api, a, start);
      expect(c.latest?.trigger).toBe('command');
      expect(c.latest?.mode).toBe('notify-only');
      expect(outcomeOf(c, 'state-directory')?.outcome).toBe('failed');
      await waitFor('CLIENT_CHECK_FAILED for the state directory', async () => {
        const m = await api.listStatusMessages({
          deviceId: a.deviceId,
          messageId: StatusMessages.CLIENT_CHECK_FAILED.id,
        });
        return m.items.some((x) => x.insertionStrings[0] === 'state-directory');
      });
      const report = await api.call(ops.clientCheck.failures, {
        query: { check: 'state-directory', collection: 'Checked' },
      });
      expect(report.map((x) => x.deviceId)).toEqual([a.deviceId]);
      await api.updateClientSettings({ clientCheckMode: 'remediate' });
    },
    120_000,
  );
});
