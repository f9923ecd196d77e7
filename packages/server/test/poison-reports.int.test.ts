import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOps, type ReportAck } from '@steward/protocol';
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
import {
  createScriptProgram,
  deployRequiredAsap,
  shellScript,
} from '../../../test-support/software.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

async function agentStatus(stateDir: string): Promise<{ outboxDepth: number }> {
  const r = await exec(STEWARD_AGENT, ['status', '--state-dir', stateDir, '--json']);
  return JSON.parse(r.stdout) as { outboxDepth: number };
}

function status(seq: number, text: string) {
  return {
    seq,
    type: 'status:message',
    body: {
      messageId: 40030,
      severity: 'informational',
      type: 'audit',
      component: 'push-channel',
      at: new Date().toISOString(),
      insertionStrings: [text],
      attributes: {},
    },
  };
}

function deploymentState(seq: number, deploymentId: string) {
  return {
    seq,
    type: 'deployment:state',
    body: { deploymentId, revision: 1, state: 'running', at: new Date().toISOString() },
  };
}

describe.each(dialects)('one bad report item never stops a device (%s)', (dialect) => {
  let site: Site;
  beforeAll(async () => {
    if (dialect === 'postgres' && !hasPg) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 1 });
  });
  afterAll(async () => {
    await site?.stop();
  });

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'a real agent whose custom class reads a file holding a NUL keeps reporting',
    async () => {
      const agent = site.agents[0];
      if (!agent) throw new Error('no agent');
      const id = agent.deviceId;
      const dir = mkdtempSync(join(tmpdir(), 'steward-nul-'));
      const file = join(dir, 'asset.conf');
      writeFileSync(file, 'ASSET_TAG=AT\u00004711\nRACK=r\u000012\n');
      await site.api.createInventoryClass({
        name: 'nulAsset',
        description: 'Asset file with a NUL',
        multiInstance: false,
        source: { kind: 'file', path: file, format: 'keyvalue' },
        properties: [
          { name: 'tag', type: 'string', from: 'ASSET_TAG' },
          { name: 'rack', type: 'string', from: 'RACK' },
        ],
      });
      for (const action of ['policy:fetch', 'inventory:collect'] as const) {
        const req = await site.api.requestDeviceAction(id, action);
        await waitFor(`${action} completed`, async () =>
          (await site.api.deviceActions(id)).some(
            (a) => a.id === req.id && a.state === 'completed',
          ),
        );
      }
      const detail = await waitFor('cleaned custom class in inventory', async () => {
        const d = await site.api.getDevice(id);
        return d.inventory['nulAsset']?.[0]?.tag !== undefined ? d : undefined;
      });
      expect(detail.inventory['nulAsset']?.[0]).toEqual({ tag: 'AT4711', rack: 'r12' });
      await waitFor(
        'outbox drained',
        async () => (await agentStatus(agent.stateDir)).outboxDepth === 0,
      );
      // Later messages from the device still arrive.
      const later = await site.api.requestDeviceAction(id, 'policy:fetch');
      await waitFor('a later request completed', async () =>
        (await site.api.deviceActions(id)).some(
          (a) => a.id === later.id && a.state === 'completed',
        ),
      );
    },
  );

  it.skipIf(dialect === 'postgres' && !hasPg)(
    'stores the good items of a batch and refuses each bad one with its code',
    async () => {
      const token = await site.api.createToken({ maxUses: 1 });
      const decoded = decodeEnrolmentToken(token.token ?? '');
      if (!decoded.ok) throw new Error(decoded.error);
      const enrol = await postToAgent(
        site.agentUrl,
        agentOps.device.enroll.path,
        JSON.stringify({
          secret: decoded.value.secret,
          hostname: `poison-${dialect}`,
          osFamily: 'debian',
          agentVersion: 'test',
        }),
      );
      expect(enrol.status).toBe(200);
      const { deviceId, deviceKey } = enrol.json as { deviceId: string; deviceKey: string };
      const auth = `${deviceId}.${deviceKey}`;
      await waitFor('device in All Systems', async () =>
        (await site.api.collectionMembers('all-systems')).items.some((d) => d.id === deviceId),
      );
      const { program } = await createScriptProgram(site.api, {
        packageName: `poison-${dialect}`,
        script: shellScript('true'),
      });
      const targeted = await deployRequiredAsap(site.api, program.id, {
        triggers: [{ type: 'asap' }],
      });
      const nobody = await site.api.createCollection({
        name: `Nobody ${dialect}`,
        rules: [{ kind: 'query', query: 'os.name = "no-such-os"' }],
      });
      const other = await deployRequiredAsap(site.api, program.id, { collectionId: nobody.id });
      const items = [
        status(1, 'before\u0000after'),
        { seq: 2, type: 'bogus:type', body: {} },
        status(1e308, 'huge seq'),
        {
          seq: 4,
          type: 'inventory:report',
          body: {
            kind: 'full',
            collectedAt: new Date().toISOString(),
            classes: { os: [{ family: 'debian', name: 'Deb\u0000ian' }] },
          },
        },
        deploymentState(5, other.id),
        deploymentState(6, targeted.id),
        status(7, 'lone \uD800 surrogate'),
      ];
      const r = await postToAgent(
        site.agentUrl,
        agentOps.device.reports.path,
        JSON.stringify({ items }),
        auth,
      );
      expect(r.status).toBe(200);
      const ack = r.json as ReportAck;
      expect(ack.ackSeq).toBe(7);
      expect(
        (ack.rejected ?? [])
          .map((x) => [x.seq, x.code])
          .sort((a, b) => Number(a[0]) - Number(b[0])),
      ).toEqual([
        [2, 'REPORT_ITEM_INVALID'],
        [5, 'REPORT_ITEM_NOT_TARGETED'],
        [1e308, 'REPORT_ITEM_INVALID'],
      ]);
      const messages = await site.api.listStatusMessages({ deviceId, messageId: 40030 });
      expect(messages.items.map((m) => m.insertionStrings[0]).sort()).toEqual([
        'beforeafter',
        'lone \uFFFD surrogate',
      ]);
      const device = await site.api.getDevice(deviceId);
      expect(device.inventory['os']?.[0]?.name).toBe('Debian');
      const states = await site.api.deviceDeployments(deviceId);
      expect(states.find((s) => s.deploymentId === targeted.id)?.state).toBe('running');
      expect(states.find((s) => s.deploymentId === other.id)).toBeUndefined();
      // A heartbeat's policy version beyond its column would fail every device's activity write.
      const heartbeat = await postToAgent(
        site.agentUrl,
        agentOps.device.heartbeat.path,
        JSON.stringify({ agentVersion: 'test', policyVersion: 2 ** 40 }),
        auth,
      );
      expect(heartbeat.status).toBe(400);
      // The same batch again is acknowledged the same way and stores nothing twice.
      const again = await postToAgent(
        site.agentUrl,
        agentOps.device.reports.path,
        JSON.stringify({ items }),
        auth,
      );
      expect((again.json as ReportAck).ackSeq).toBe(7);
      expect(
        (await site.api.listStatusMessages({ deviceId, messageId: 40030 })).items,
      ).toHaveLength(2);
    },
  );
});
