import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REQUEST_ID_ATTRIBUTE, type StatusMessageBody } from '@steward/protocol';
import { TestSite } from '../test/test-site.js';
import { Agent } from './agent.js';
import { HttpsClient } from './channel/https-client.js';
import { flushOutbox } from './channel/reports.js';
import { DeadLetterFile } from './outbox/dead-letter.js';
import { Outbox } from './outbox/outbox.js';
import { PoisonGuard } from './outbox/poison-guard.js';
import { statusMessage } from './outbox/status-message.js';
import { deviceAuthHeaders, requireDeviceFile } from './state/device-file.js';
import { statePaths } from './state/state-dir.js';
import type { CliIo } from './commands/cli-io.js';
import { runCli } from './commands/cli-main.js';
import type { Logger } from './logger.js';

function io(): CliIo & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    env: {},
    out: (t: string) => {
      captured.stdout += t;
    },
    err: (t: string) => {
      captured.stderr += t;
    },
  };
  return captured;
}

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

let site: TestSite;
let stateDir: string;
let scanDir: string;

beforeEach(async () => {
  site = await TestSite.start();
  stateDir = join(mkdtempSync(join(tmpdir(), 'steward-agent-')), 'state');
  scanDir = mkdtempSync(join(tmpdir(), 'steward-scan-'));
  writeFileSync(join(scanDir, 'tool'), '#!/bin/sh\n');
  chmodSync(join(scanDir, 'tool'), 0o755);
  site.setPolicy({ settings: { softwareScanPaths: [scanDir] } });
});
afterEach(async () => {
  await site.close();
});

async function enrol(): Promise<void> {
  const out = io();
  expect(await runCli(['enroll', '--token', site.token(), '--state-dir', stateDir], out)).toBe(0);
  expect(out.stdout).toMatch(/^enrolled as device dev-1 in site T01/);
}

const once = (log: Logger = memoryLog()) => new Agent({ stateDir, once: true, log }).run();

describe('enrolment', () => {
  it('stores the identity with the pinned CA, mode 0600, and refuses a second enrolment without --force', async () => {
    await enrol();
    expect(statSync(join(stateDir, 'device.json')).mode & 0o777).toBe(0o600);
    const again = io();
    expect(await runCli(['enroll', '--token', site.token(), '--state-dir', stateDir], again)).toBe(
      1,
    );
    expect(again.stderr).toMatch(/^error ALREADY_ENROLLED: already enrolled as device dev-1/);
    const forced = io();
    expect(
      await runCli(
        ['enroll', '--token', site.token(), '--state-dir', stateDir, '--force', '--json'],
        forced,
      ),
    ).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual(
      expect.objectContaining({ deviceId: 'dev-2', siteCode: 'T01', discardedOutboxItems: 1 }),
    );
  });

  it('refuses a site that does not present the CA named in the token', async () => {
    const out = io();
    expect(
      await runCli(
        ['enroll', '--token', site.token('cd'.repeat(32)), '--state-dir', stateDir],
        out,
      ),
    ).toBe(1);
    expect(out.stderr).toMatch(/^error CA_FINGERPRINT_MISMATCH:/);
    expect(site.devices.size).toBe(0);
    expect(() => statSync(join(stateDir, 'device.json'))).toThrow();
  });

  it('reports the site error code for a bad token', async () => {
    const out = io();
    const token = site.token().slice(0, -4) + 'AAAA';
    expect(await runCli(['enroll', '--token', token, '--state-dir', stateDir], out)).toBe(1);
    expect(out.stderr).toMatch(/^error (TOKEN_INVALID|TOKEN_MALFORMED):/);
  });
});

describe('run --once', () => {
  it('delivers enrolment, start, policy, a full inventory and stop, in sequence, and empties the outbox', async () => {
    await enrol();
    expect(await once()).toBe(0);
    expect(site.badRequests).toEqual([]);
    expect(site.stored.map((i) => i.seq)).toEqual(site.stored.map((_, i) => i + 1));
    const ids = site.messages().map((m) => m.messageId);
    expect(ids.slice(0, 3)).toEqual([40003, 40001, 40010]);
    expect(ids).toContain(40022);
    expect(ids.at(-2)).toBe(40020);
    expect(ids.at(-1)).toBe(40002);
    const [inventory] = site.inventories();
    expect(inventory?.kind).toBe('full');
    expect(Object.keys(inventory?.classes ?? {})).toEqual(
      expect.arrayContaining([
        'os',
        'machine',
        'cpu',
        'memory',
        'disk',
        'networkAdapter',
        'ipAddress',
        'service',
        'user',
        'agent',
        'softwareFile',
      ]),
    );
    expect(inventory?.classes['softwareFile']?.map((f) => f['name'])).toEqual(['tool']);
    expect(inventory?.packages?.kind).toBe('full');
    expect(site.heartbeats).toEqual([
      { agentVersion: '0.1.0', policyVersion: site.policy.version },
    ]);
    expect(readdirSync(join(stateDir, 'outbox')).filter((n) => /^\d{20}\./.test(n))).toEqual([]);

    const status = io();
    expect(await runCli(['status', '--state-dir', stateDir, '--json'], status)).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(
      expect.objectContaining({
        deviceId: 'dev-1',
        policyVersion: site.policy.version,
        outboxDepth: 0,
        running: false,
        fullInventoryPending: false,
      }),
    );
    expect(JSON.parse(status.stdout).lastContactAt).not.toBeNull();
  });

  it('sends a delta next time, continuing the sequence', async () => {
    await enrol();
    expect(await once()).toBe(0);
    const before = site.stored.length;
    site.setPolicy({
      inventoryClasses: [
        {
          name: 'shellFacts',
          description: '',
          multiInstance: false,
          source: { kind: 'command', command: 'echo "CORES=$(nproc)"', format: 'keyvalue' },
          properties: [{ name: 'cores', type: 'number', from: 'CORES' }],
        },
      ],
    });
    expect(await once()).toBe(0);
    expect(site.stored[before]?.seq).toBe(before + 1);
    const delta = site.inventories()[1];
    expect(delta?.kind).toBe('delta');
    expect(delta?.packages).toBeUndefined();
    expect(delta?.classes['shellFacts']).toEqual([{ cores: expect.any(Number) }]);
    expect(delta?.classes['os']).toBeUndefined();
  });

  it('answers a resync request with 40024 and a full inventory in the same cycle', async () => {
    await enrol();
    expect(await once()).toBe(0);
    site.resyncOnce = true;
    expect(await once()).toBe(0);
    expect(site.messages(40024)).toHaveLength(1);
    expect(site.inventories().map((i) => i.kind)).toEqual(['full', 'delta', 'full']);
  });

  it('refuses a badly signed policy with 40011 and keeps the previous one', async () => {
    await enrol();
    expect(await once()).toBe(0);
    const accepted = site.policy.version;
    site.setPolicy({ settings: { heartbeatIntervalSeconds: 10 } });
    site.tamperPolicy = true;
    expect(await once()).toBe(0);
    expect(site.messages(40011).map((m) => m.insertionStrings[0])).toEqual([
      expect.stringMatching(/signature/),
    ]);
    const status = io();
    await runCli(['status', '--state-dir', stateDir, '--json'], status);
    expect(JSON.parse(status.stdout).policyVersion).toBe(accepted);
  });

  it('refuses a correctly signed older policy (a replay) with 40012 and keeps the applied one, also after a restart', async () => {
    await enrol();
    expect(await once()).toBe(0);
    const recorded = site.policy;
    site.setPolicy({ settings: { heartbeatIntervalSeconds: 10 } });
    expect(await once()).toBe(0);
    const applied = site.policy.version;
    expect(applied).toBeGreaterThan(recorded.version);
    // The site (or an attacker in its place) serves the older document, correctly signed.
    site.policy = recorded;
    for (let run = 0; run < 2; run++) {
      expect(await once()).toBe(0);
      const status = io();
      await runCli(['status', '--state-dir', stateDir, '--json'], status);
      expect(JSON.parse(status.stdout).policyVersion).toBe(applied);
    }
    expect(site.messages(40012).map((m) => m.insertionStrings)).toEqual([
      [String(recorded.version), String(applied)],
      [String(recorded.version), String(applied)],
    ]);
    expect(site.messages(40011)).toEqual([]);
    expect(site.heartbeats.at(-1)?.policyVersion).toBe(applied);
  });

  it('moves an item the site refuses to a 0600 dead-letter file, says so in 40041 and goes on', async () => {
    await enrol();
    site.rejectSeqs.add(1); // the enrolment message
    expect(await once()).toBe(0);
    expect(site.messages(40003)).toEqual([]);
    expect(site.messages(40041).map((m) => m.insertionStrings.slice(0, 3))).toEqual([
      ['1', 'status:message', 'REPORT_ITEM_INVALID'],
    ]);
    expect(site.messages(40001)).toHaveLength(1);
    const file = join(stateDir, 'dead-letter.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kept: unknown = JSON.parse(readFileSync(file, 'utf8'));
    expect(kept).toMatchObject({
      total: 1,
      items: [{ seq: 1, type: 'status:message', code: 'REPORT_ITEM_INVALID', item: { seq: 1 } }],
    });
    const status = io();
    await runCli(['status', '--state-dir', stateDir, '--json'], status);
    expect(JSON.parse(status.stdout)).toMatchObject({
      outboxDepth: 0,
      deadLetterCount: 1,
      deadLetterTotal: 1,
    });
    const text = io();
    await runCli(['status', '--state-dir', stateDir], text);
    expect(text.stdout).toMatch(/dead letters +1 kept/);
  });

  it('isolates an item that makes every batch fail, sets it aside and delivers the rest', async () => {
    await enrol();
    const device = await requireDeviceFile(stateDir);
    const http = new HttpsClient({
      baseUrl: device.url,
      caPem: device.caPem,
      headers: deviceAuthHeaders(device),
    });
    const outbox = await Outbox.open({ dir: statePaths(stateDir).outbox });
    for (let i = 0; i < 6; i++)
      await outbox.enqueueStatus(statusMessage('NUDGE_RECEIVED', [`item ${i}`]));
    site.failSeqs.add(4);
    const safety = {
      deadLetters: new DeadLetterFile(statePaths(stateDir).deadLetter),
      guard: new PoisonGuard(),
      report: async (m: StatusMessageBody) => void (await outbox.enqueueStatus(m)),
      warn: () => undefined,
    };
    // Each call stands for one retry of the agent's flush job; the bound is the safety net's.
    let attempts = 0;
    while (outbox.depth > 0 && attempts < 10) {
      attempts++;
      await flushOutbox(http, outbox, 3, safety).catch(() => undefined);
    }
    http.close();
    expect(outbox.depth).toBe(0);
    expect(site.stored.filter((i) => i.seq <= 7).map((i) => i.seq)).toEqual([1, 2, 3, 5, 6, 7]);
    expect(site.messages(40041).map((m) => m.insertionStrings.slice(0, 3))).toEqual([
      ['4', 'status:message', 'HTTP_500'],
    ]);
    expect(await DeadLetterFile.count(statePaths(stateDir).deadLetter)).toEqual({
      kept: 1,
      total: 1,
    });
    // A site that fails every request is not taken for a poison item: nothing is set aside.
    site.failSeqs.clear();
    for (let i = 0; i < 3; i++)
      await outbox.enqueueStatus(statusMessage('NUDGE_RECEIVED', ['later']));
    for (const seq of [9, 10, 11]) site.failSeqs.add(seq);
    for (let i = 0; i < 10; i++) await flushOutbox(http, outbox, 3, safety).catch(() => undefined);
    expect(outbox.depth).toBe(3);
    expect((await DeadLetterFile.count(statePaths(stateDir).deadLetter)).total).toBe(1);
  });

  it('shows a past error as recovered once the site is reached again', async () => {
    await enrol();
    site.down = true;
    await expect(once()).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    const failing = io();
    await runCli(['status', '--state-dir', stateDir, '--json'], failing);
    expect(JSON.parse(failing.stdout).lastError).toMatch(/SERVER_UNREACHABLE/);
    site.down = false;
    expect(await once()).toBe(0);
    const recovered = io();
    await runCli(['status', '--state-dir', stateDir, '--json'], recovered);
    const status = JSON.parse(recovered.stdout);
    expect(status.lastError).toBeNull();
    expect(status.pastError).toMatch(/SERVER_UNREACHABLE/);
    expect(Date.parse(status.recoveredAt)).toBeGreaterThanOrEqual(Date.parse(status.pastErrorAt));
    const text = io();
    await runCli(['status', '--state-dir', stateDir], text);
    expect(text.stdout).toMatch(/last error +none now; past: /);
  });

  it('keeps everything in the outbox while the site is unreachable and delivers it later', async () => {
    await enrol();
    site.down = true;
    await expect(once()).rejects.toMatchObject({ code: 'SERVER_UNREACHABLE' });
    const kept = readdirSync(join(stateDir, 'outbox')).filter((n) => /^\d{20}\./.test(n)).length;
    expect(kept).toBeGreaterThanOrEqual(4);
    site.down = false;
    expect(await once()).toBe(0);
    expect(site.stored.map((i) => i.seq)).toEqual(site.stored.map((_, i) => i + 1));
    expect(site.messages(40001)).toHaveLength(2);
    expect(site.messages(40050)).toHaveLength(0); // --once does not measure outages across processes
  });

  it('stops with exit code 3 when the device was revoked', async () => {
    await enrol();
    site.revoked = true;
    const log = memoryLog();
    expect(await once(log)).toBe(3);
    expect(log.lines.join('\n')).toMatch(/DEVICE_REVOKED/);
    expect(site.heartbeats).toEqual([]);
  });
});

describe('run (service)', () => {
  it('connects the push channel, answers nudges with ack, 40030, the work and 40031, and stops gracefully', async () => {
    await enrol();
    const log = memoryLog();
    const agent = new Agent({ stateDir, log });
    const running = agent.run();
    await site.until(
      () =>
        site.sockets.size === 1 &&
        site.inventories().length === 1 &&
        site.messages(40020).length === 1,
    );
    expect(site.inventories()[0]?.kind).toBe('full');

    const requestId = site.nudge('inventory:collect');
    const done = () =>
      site.messages(40031).some((m) => m.attributes[REQUEST_ID_ATTRIBUTE] === requestId);
    await site.until(done);
    expect(site.acks).toEqual([{ requestId }]);
    const received = site
      .messages(40030)
      .find((m) => m.attributes[REQUEST_ID_ATTRIBUTE] === requestId);
    expect(received?.insertionStrings).toEqual(['inventory:collect']);
    expect(site.inventories().map((i) => i.kind)).toEqual(['full', 'delta']);

    const evaluate = site.nudge('deployments:evaluate');
    await site.until(() =>
      site.messages(40031).some((m) => m.attributes[REQUEST_ID_ATTRIBUTE] === evaluate),
    );

    agent.stop('SIGTERM');
    expect(await running).toBe(0);
    await site.until(() => site.messages(40002).length === 1);
    expect(site.messages(40002)[0]?.insertionStrings).toEqual(['SIGTERM']);
    expect(site.badRequests).toEqual([]);
  });

  it('exits with code 3 when the site says the device is revoked', async () => {
    await enrol();
    site.revoked = true;
    const log = memoryLog();
    expect(await new Agent({ stateDir, log }).run()).toBe(3);
    expect(log.lines.join('\n')).toMatch(/refused this device \(DEVICE_REVOKED/);
  });
});
