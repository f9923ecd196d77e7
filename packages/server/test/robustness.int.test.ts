import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOps, type OutboxItem } from '@steward/protocol';
import { decodeEnrolmentToken } from '@steward/protocol/node';
import {
  exec,
  pgReachable,
  createTestSite,
  STEWARD_AGENT,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { postToAgent } from '../../../test-support/agent-http.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

async function outboxDepth(stateDir: string): Promise<number> {
  const r = await exec(STEWARD_AGENT, ['status', '--state-dir', stateDir, '--json']);
  const parsed = JSON.parse(r.stdout) as { outboxDepth: number };
  return parsed.outboxDepth;
}

/** How many times each first insertion string of a device's 40030 messages is stored. */
async function storedInsertions(site: Site, deviceId: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let before: string | undefined;
  for (;;) {
    const page = await site.api.listStatusMessages({
      deviceId,
      messageId: 40030,
      limit: 1000,
      ...(before ? { before } : {}),
    });
    for (const m of page.items) {
      const key = m.insertionStrings[0] ?? '';
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    if (!page.nextCursor) return seen;
    before = page.nextCursor;
  }
}

describe.each(dialects)('nothing acknowledged is lost (%s)', (dialect) => {
  let site: Site;
  beforeAll(async () => {
    if (dialect === 'postgres' && !hasPg) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 1 });
  });
  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'keeps agent reports in the outbox while the server is down and delivers them once',
    async () => {
      const agent = site.agents[0];
      if (!agent) throw new Error('no agent');
      const id = agent.deviceId;
      const startsBefore = (await site.api.listStatusMessages({ deviceId: id, messageId: 40001 }))
        .items.length;
      await site.restartServer(async () => {
        // The agent stops (40002 goes to its outbox) and starts again (40001) while the site is down.
        await agent.stop();
        agent.start();
        await waitFor(
          'outbox holds the reports',
          async () => (await outboxDepth(agent.stateDir)) >= 2,
          60_000,
          250,
        );
      });
      await waitFor(
        'outbox drained',
        async () => (await outboxDepth(agent.stateDir)) === 0,
        90_000,
        250,
      );
      const starts = await site.api.listStatusMessages({ deviceId: id, messageId: 40001 });
      expect(starts.items.length).toBe(startsBefore + 1);
      const stops = await site.api.listStatusMessages({ deviceId: id, messageId: 40002 });
      expect(stops.items.length).toBe(1);
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'neither loses nor duplicates reports when the server is killed mid-ingest',
    async () => {
      const token = await site.api.createToken({ maxUses: 1 });
      const decoded = decodeEnrolmentToken(token.token ?? '');
      if (!decoded.ok) throw new Error(decoded.error);
      const enrol = await postToAgent(site.agentUrl, agentOps.device.enroll.path, {
        secret: decoded.value.secret,
        hostname: 'crash-test',
        osFamily: 'debian',
        agentVersion: 'test',
      });
      expect(enrol.status).toBe(200);
      const { deviceId, deviceKey } = enrol.json as { deviceId: string; deviceKey: string };
      const auth = `${deviceId}.${deviceKey}`;
      const batches: OutboxItem[][] = [];
      for (let b = 0; b < 40; b++) {
        batches.push(
          Array.from({ length: 100 }, (_, i): OutboxItem => {
            const seq = b * 100 + i + 1;
            return {
              seq,
              type: 'status:message',
              body: {
                messageId: 40030,
                severity: 'informational',
                type: 'audit',
                component: 'push-channel',
                at: new Date().toISOString(),
                insertionStrings: [`seq-${seq}`],
                attributes: {},
              },
            };
          }),
        );
      }
      let acked = 0;
      // Fire batches and kill the server while they are in flight.
      const inflight = batches.slice(0, 20).map((items) =>
        postToAgent(site.agentUrl, agentOps.device.reports.path, { items }, auth).then(
          (r) => r,
          () => undefined,
        ),
      );
      const first = await inflight[0];
      if (first && first.status === 200)
        acked = Math.max(acked, (first.json as { ackSeq: number }).ackSeq);
      await site.restartServer(async () => {
        await Promise.all(inflight);
      }, 'SIGKILL');
      // Before anything is re-sent: every item acknowledged before the kill is stored, once.
      const answers = await Promise.all(inflight);
      const ackedBeforeKill = batches
        .slice(0, 20)
        .filter((_, i) => answers[i]?.status === 200)
        .flatMap((items) => items.map((item) => `seq-${item.seq}`));
      expect(ackedBeforeKill.length).toBeGreaterThan(0);
      const storedBeforeResend = await storedInsertions(site, deviceId);
      expect(ackedBeforeKill.filter((s) => storedBeforeResend.get(s) !== 1)).toEqual([]);
      expect([...storedBeforeResend.values()].filter((n) => n > 1)).toEqual([]);
      // The agent re-sends everything not acknowledged; re-sending from the very start is stricter.
      for (const items of batches) {
        const r = await postToAgent(site.agentUrl, agentOps.device.reports.path, { items }, auth);
        expect(r.status).toBe(200);
        acked = (r.json as { ackSeq: number }).ackSeq;
      }
      expect(acked).toBe(4000);
      const stored = await storedInsertions(site, deviceId);
      expect([...stored.values()].reduce((a, b) => a + b, 0)).toBe(4000);
      expect(stored.size).toBe(4000);
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'refuses a revoked device with a clear code and the agent stops',
    async () => {
      const agent = site.agents[0];
      if (!agent?.proc) throw new Error('no agent');
      await site.api.revokeDevice(agent.deviceId);
      const code = await agent.proc.exited;
      expect(code).toBe(3);
      expect(agent.proc.output()).toMatch(/DEVICE_REVOKED/);
      // It leaves every collection, and the membership history says so.
      await waitFor('removal recorded', async () =>
        (await site.api.collectionMembershipHistory('all-systems')).find(
          (c) => c.deviceId === agent.deviceId && c.change === 'removed',
        ),
      );
      expect(
        (await site.api.collectionMembers('all-systems')).items.map((d) => d.id),
      ).not.toContain(agent.deviceId);
      const r = await postToAgent(
        site.agentUrl,
        agentOps.device.heartbeat.path,
        { agentVersion: 'x' },
        `${agent.deviceId}.wrong-key`,
      );
      expect(r.status).toBe(401);
      expect((r.json as { code: string }).code).toBe('DEVICE_AUTH_FAILED');
      const unknown = await postToAgent(
        site.agentUrl,
        agentOps.device.heartbeat.path,
        { agentVersion: 'x' },
        `nope.key`,
      );
      expect((unknown.json as { code: string }).code).toBe('DEVICE_UNKNOWN');
    },
  );
});
