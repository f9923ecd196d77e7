import { HttpsClient } from '../channel/https-client.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentUpgradeReport, ClientVersionTarget, StatusMessageBody } from '@steward/protocol';
import { AGENT_VERSION } from '../version.js';
import { AgentUpgrader } from './agent-upgrader.js';
import { readUpgradeState } from './upgrade-state.js';

const HOUR = 3_600_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

function target(version = '99.0.0'): ClientVersionTarget {
  return {
    rollout: 'pre-production',
    version,
    packages: [
      {
        name: `steward-agent-${version}-linux.tar.gz`,
        kind: 'tarball',
        arch: 'all',
        sha256: 'a'.repeat(64),
        size: 10,
        path: `/install/packages/steward-agent-${version}-linux.tar.gz`,
      },
    ],
    upgradeWindowHours: 24,
    reportInSeconds: 120,
  };
}

function setup(libDir?: string) {
  const stateDir = tempDir('steward-upgrader-');
  const reports: AgentUpgradeReport[] = [];
  const statuses: StatusMessageBody[] = [];
  let now = Date.parse('2026-03-10T08:00:00Z');
  const upgrader = new AgentUpgrader({
    stateDir,
    device: { url: 'https://127.0.0.1:1', caPem: 'unused' },
    headers: {},
    // Port 1 answers nothing: the site cannot say where to download, so the site route is used.
    http: new HttpsClient({ baseUrl: 'https://127.0.0.1:1', caPem: 'unused', headers: {} }),
    sink: {
      enqueueAgentUpgrade: (r) => Promise.resolve(reports.push(r)),
      enqueueStatus: (m) => Promise.resolve(statuses.push(m)),
    },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    now: () => new Date(now),
    windows: () => [],
    flush: () => Promise.resolve(),
    libDir: libDir ?? tempDir('steward-lib-'),
    random: () => 0.25,
  });
  return {
    stateDir,
    reports,
    statuses,
    upgrader,
    advance: (ms: number) => (now += ms),
  };
}

describe('agent upgrader', () => {
  it('does nothing when the target is the running version or there is none', async () => {
    const t = setup();
    expect(await t.upgrader.evaluate(target(AGENT_VERSION))).toBeUndefined();
    expect(await t.upgrader.evaluate(null)).toBeUndefined();
    expect(await t.upgrader.evaluate(undefined)).toBeUndefined();
    expect(t.reports).toEqual([]);
  });

  it('schedules once at a random time in the window and reports it', async () => {
    const t = setup();
    expect(await t.upgrader.evaluate(target())).toBe(6 * HOUR);
    expect(t.reports).toEqual([
      expect.objectContaining({
        state: 'scheduled',
        toVersion: '99.0.0',
        fromVersion: AGENT_VERSION,
      }),
    ]);
    expect(t.statuses.map((m) => m.messageId)).toEqual([40400]);
    t.advance(HOUR);
    // Re-evaluating (a policy fetch) keeps the schedule and does not report again.
    expect(await t.upgrader.evaluate(target())).toBe(5 * HOUR);
    expect(t.reports).toHaveLength(1);
  });

  it('fails at the scheduled time on an install not made by install-agent.sh, and does not retry', async () => {
    const t = setup();
    await t.upgrader.evaluate(target());
    t.advance(6 * HOUR);
    expect(await t.upgrader.evaluate(target())).toBeUndefined();
    expect(t.reports.at(-1)).toMatchObject({
      state: 'failed',
      errorCode: 'AGENT_UPGRADE_UNSUPPORTED_INSTALL',
    });
    expect(t.statuses.map((m) => m.messageId)).toEqual([40400, 40402]);
    expect((await readUpgradeState(t.stateDir)).finished).toEqual({ '99.0.0': 'failed' });
    expect(await t.upgrader.evaluate(target())).toBeUndefined();
    expect(t.reports).toHaveLength(2);
    // "Upgrade now" tries again at once.
    t.upgrader.requestNow();
    expect(await t.upgrader.evaluate(target())).toBeUndefined();
    expect(t.reports.slice(2).map((r) => r.state)).toEqual(['scheduled', 'failed']);
  });

  it('reports a download that fails as failed, with nothing left in flight', async () => {
    const lib = tempDir('steward-lib-');
    writeFileSync(
      join(lib, 'install.conf'),
      'prefix=/x\nstate_dir=/x/state\nservice=none\nruntime=node\n',
    );
    writeFileSync(join(lib, 'upgrade-agent.sh'), '#!/bin/sh\nexit 99\n');
    const t = setup(lib);
    t.upgrader.requestNow();
    // Nothing listens on port 1: the download fails, reported as such.
    await t.upgrader.evaluate(target());
    expect(t.reports.map((r) => r.state)).toEqual(['scheduled', 'downloading', 'failed']);
    expect(t.reports.at(-1)?.errorCode).toBe('AGENT_UPGRADE_DOWNLOAD_FAILED');
    expect((await readUpgradeState(t.stateDir)).attempt).toBeUndefined();
  });
});
