/**
 * Update deployments end to end (issue 10, ADR 0056), with real parts: a signed upstream apt
 * repository on 127.0.0.1 -> catalog sync -> update group -> the site-signed approved content
 * published and distributed to the site's DP -> an update deployment with a deadline inside an
 * update-only maintenance window -> a real agent process downloads it from the DP, scans, and
 * installs with the real apt-get and dpkg into its dpkg sandbox root -> the restart (the client
 * setting's command: a harmless script writing a marker and clearing the sandbox's
 * reboot-required flag, as a boot clears /run) -> verified -> compliance flips to Installed.
 * Rehearsal first (nothing changes), a rollback to the previous catalog version, then the
 * restart countdown, snooze and final countdown through the real `steward-agent center`, a
 * restart due outside the window postponed to the next one, and install reminders (ADR 0071).
 * One clock, moved by the test, for the server and the agent (STEWARD_TEST_CLOCK_FILE).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armorKeyring,
  ops,
  type ApiClient,
  type UpdateDeployment,
  type UpdateDeploymentDevice,
} from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
  type TestPackage,
} from '../../../test-support/apt-repo.js';
import { createDpkgSandbox, installPackages } from '../../../test-support/dpkg-sandbox.js';
import {
  createTestSite,
  pgReachable,
  waitFor,
  agentCenter,
  type Site,
} from '../../../test-support/site.js';
import { distributeAndWait } from '../../../test-support/software.js';

const HELLO_1: TestPackage = { name: 'hello-upd', version: '1.0-1' };
// 2.0 asks for a restart as kernels and libc do (update-notifier's flag files).
const HELLO_2: TestPackage = {
  name: 'hello-upd',
  version: '2.0-1',
  postinst: [
    'mkdir -p "$DPKG_ROOT/var/run"',
    'touch "$DPKG_ROOT/var/run/reboot-required"',
    'echo hello-upd >> "$DPKG_ROOT/var/run/reboot-required.pkgs"',
  ].join('\n'),
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse('2031-05-05T08:00:00.000Z');
const wall = (ms: number) => new Date(ms).toISOString().slice(0, 16);

function installedVersion(root: string): string {
  try {
    const out = execFileSync(
      'dpkg-query',
      [
        `--admindir=${join(root, 'var/lib/dpkg')}`,
        '-W',
        '-f',
        '${db:Status-Abbrev}\t${Version}',
        'hello-upd',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const [status, version] = out.split('\t');
    return status?.startsWith('ii') === true ? (version ?? '') : '';
  } catch {
    return '';
  }
}

const center = agentCenter;

const pgUp = await pgReachable();
const dialects = pgUp ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres case of update deployments is SKIPPED');

describe.each(dialects)('update deployments on %s', (dialect) => {
  let dir: string;
  let key: SigningKey;
  let http: { url: string; server: Server; requests: string[] };
  let site: Site;
  let root: string;
  let marker: string;
  let clockFile: string;
  let api: ApiClient;
  let collectionId: string;
  let updateIds: { v1: string; v2: string };

  const setClock = (ms: number) => writeFileSync(clockFile, new Date(ms).toISOString());
  /** A day later: the clock moves and the admin signs in again (sessions last 24 hours). */
  async function jumpTo(ms: number): Promise<void> {
    setClock(ms);
    api.setToken((await api.login(site.adminUser, site.adminPassword)).token);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-update-deploy-'));
    const upstream = join(dir, 'upstream');
    key = createSigningKey(dir);
    writeSuite(upstream, { suite: 'stable-security', key, packages: [HELLO_1, HELLO_2] });
    http = await serveDirectory(upstream);
    const box = createDpkgSandbox(dir, 'root');
    installPackages(dir, box, [HELLO_1]);
    root = box.root;
    marker = join(dir, 'rebooted');
    // The restart: a marker line, and the flag a real boot would clear (it lives in /run).
    const rebootScript = join(dir, 'reboot.sh');
    writeFileSync(
      rebootScript,
      `#!/bin/sh\necho restarted >> '${marker}'\nrm -f '${root}/var/run/reboot-required'*\n`,
    );
    chmodSync(rebootScript, 0o755);
    clockFile = join(dir, 'clock');
    setClock(START);
    site = await createTestSite({
      dialect,
      env: { STEWARD_TEST_CLOCK_FILE: clockFile, STEWARD_AGENT_SYSTEM_ROOT: root },
    });
    api = site.api;
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    // The restart command is the client setting agents receive in their policy (no test hook).
    // A site-wide change nudges the online agents to fetch policy at once: the agent is online
    // first, so the nudge reaches it (its policy interval runs on the test's stopped clock).
    await waitFor('the agent online', async () => (await api.getDevice(device.id)).online);
    await api.updateClientSettings({ rebootCommand: rebootScript });
    await expect(api.updateClientSettings({ rebootCommand: 'reboot now' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    const source = await api.call(ops.updateCatalog.createSource, {
      body: {
        name: 'Upstream',
        url: http.url,
        suite: 'stable-security',
        components: ['main'],
        architectures: ['amd64'],
        keyring: armorKeyring(readFileSync(key.keyringFile)),
      },
    });
    await api.call(ops.updateCatalog.syncSource, { params: { id: source.id } });
    const updates = await waitFor('the catalog', async () => {
      const items = [
        ...(await api.call(ops.updateCatalog.listUpdates, { query: { state: 'current' } })).items,
        ...(await api.call(ops.updateCatalog.listUpdates, { query: { state: 'superseded' } }))
          .items,
      ];
      return items.length === 2 ? items : undefined;
    });
    const idOf = (v: string) => updates.find((u) => u.version === v)?.id ?? '';
    updateIds = { v1: idOf('1.0-1'), v2: idOf('2.0-1') };
    const c = await api.createCollection({
      name: 'Patched',
      rules: [{ kind: 'direct', deviceId: device.id }],
    });
    collectionId = c.id;
    await waitFor('the collection', async () => (await api.getCollection(c.id)).memberCount === 1);
    // The nudge sent with the settings change: wait until the device holds the current policy
    // (the one with the restart command) before any restart case runs.
    await waitFor('the agent to hold the policy with the restart command', async () => {
      const r = await api.call(ops.clientSettingsObjects.resultant, { params: { id: device.id } });
      return (r.devicePolicyVersion ?? 0) >= r.policyVersion ? r : undefined;
    });
    // An update-only window holding the deadline, and a window for all deployments that does
    // not: update-only windows take precedence, so the install runs in the first.
    for (const [name, start, appliesTo] of [
      ['Updates', START + 5 * MINUTE, 'software-updates'],
      ['Everything', START + 6 * 60 * MINUTE, 'all'],
    ] as const)
      await api.createMaintenanceWindow(c.id, {
        name,
        start: wall(start),
        durationMinutes: 240,
        recurrence: { kind: 'daily', everyDays: 1 },
        timeBase: 'utc',
        appliesTo,
        enabled: true,
      });
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
    await new Promise((r) => http?.server.close(r));
    if (key) disposeSigningKey(key);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A group of these updates, published and distributed to the site's DP. */
  async function publishedGroup(name: string, ids: string[]): Promise<string> {
    const g = await api.call(ops.updateGroups.createGroup, { body: { name, updateIds: ids } });
    const content = await api.call(ops.updateGroups.publishContent, { params: { id: g.id } });
    await distributeAndWait(api, content.packageName, ['site-server']);
    return g.id;
  }

  const deviceRow = async (d: UpdateDeployment) =>
    (
      await api.call(ops.updateDeployments.updateDeploymentDevices, {
        params: { id: d.id },
        query: {},
      })
    ).items[0];

  async function settled(d: UpdateDeployment, done: (row: UpdateDeploymentDevice) => boolean) {
    let last = '';
    try {
      return await waitFor(
        `deployment ${d.name} settled`,
        async () => {
          const row = await deviceRow(d);
          last = JSON.stringify(row);
          return row && done(row) ? row : undefined;
        },
        120_000,
        250,
      );
    } catch (err) {
      throw new Error(`${String(err)}; last row ${last}`);
    }
  }

  it('rehearses without changing anything, then installs at the deadline with one restart', async () => {
    const groupId = await publishedGroup('December security', [updateIds.v2]);
    await expect(
      api.call(ops.updateDeployments.createUpdateDeployment, {
        body: { groupId: 'no such group', collectionId },
      }),
    ).rejects.toMatchObject({ code: 'UPDATE_GROUP_NOT_FOUND' });
    const d = await api.call(ops.updateDeployments.createUpdateDeployment, {
      body: {
        groupId,
        collectionId,
        deadline: wall(START + 10 * MINUTE),
        rehearsal: true,
        notifyUsers: false,
      },
    });
    expect(d).toMatchObject({
      groupName: 'December security',
      rehearsal: true,
      enabled: true,
      updates: [{ updateId: updateIds.v2, version: '2.0-1', removed: false }],
    });
    // Before the deadline nothing runs (the row says received); past it, inside the window, it does.
    await settled(d, (r) => r.state === 'received');
    setClock(START + 11 * MINUTE);
    const rehearsed = await settled(d, (r) => r.state === 'succeeded');
    expect(rehearsed.outputTail).toContain('would install hello-upd=2.0-1');
    // hello-upd is no kernel, libc or systemd and runs no process: nothing would restart.
    expect(rehearsed.restart).toEqual({
      reboot: false,
      services: [],
      packages: [],
      source: 'prediction',
    });
    expect(installedVersion(root)).toBe('1.0-1');
    expect(existsSync(marker)).toBe(false);

    // For real now: every device runs again (a new revision).
    await api.call(ops.updateDeployments.updateUpdateDeployment, {
      params: { id: d.id },
      body: { rehearsal: false, restartCountdownMinutes: 0, restartFinalCountdownMinutes: 0 },
    });
    // The rehearsal's row stays until the real run reports.
    // Succeeded only once the restart is verified (the flag gone), not when the command ran.
    const done = await settled(
      d,
      (r) =>
        r.state === 'failed' ||
        (r.state === 'succeeded' && r.outputTail?.startsWith('rehearsal') === false),
    );
    expect(done, JSON.stringify(done)).toMatchObject({ state: 'succeeded' });
    expect(done.outputTail).toContain('installed hello-upd=2.0-1');
    expect(done.outputTail).toContain('restarted (no restart is required any more)');
    // The restart the install left was read from the flag files; the restart cleared it.
    expect(done.restart).toEqual({
      reboot: false,
      services: [],
      packages: [],
      source: 'reboot-required',
    });
    expect(installedVersion(root)).toBe('2.0-1');
    // One restart for the install, by the configured command.
    expect(readFileSync(marker, 'utf8')).toBe('restarted\n');
    // The scan after the install flips compliance to Installed.
    await waitFor('compliance Installed', async () => {
      const row = await deviceRow(d);
      return row?.updates[0]?.state === 'installed';
    });
    const status = await api.call(ops.updateDeployments.updateDeploymentStatus, {
      params: { id: d.id },
    });
    expect(status.byUpdate).toEqual([
      {
        updateId: updateIds.v2,
        package: 'hello-upd',
        version: '2.0-1',
        counts: { installed: 1 },
      },
    ]);
    expect(status.failures).toEqual([]);

    // Disabled: gone from the agent's assignments at once (the deployment stays, listed).
    const off = await api.call(ops.updateDeployments.updateUpdateDeployment, {
      params: { id: d.id },
      body: { enabled: false },
    });
    expect(off.enabled).toBe(false);
  }, 300_000);

  it('rolls back to the previous version still in the catalog', async () => {
    const groupId = await publishedGroup('Rollback', [updateIds.v1]);
    const d = await api.call(ops.updateDeployments.createUpdateDeployment, {
      body: {
        groupId,
        collectionId,
        deadline: wall(START + 20 * MINUTE),
        allowDowngrades: true,
        suppressRestartServers: true,
        notifyUsers: false,
      },
    });
    setClock(START + 21 * MINUTE);
    const done = await settled(d, (r) =>
      ['succeeded', 'failed', 'reboot-pending'].includes(r.state),
    );
    // 1.0 asks for no restart (the one 2.0 asked for was done): no restart, nothing suppressed.
    expect(done, JSON.stringify(done)).toMatchObject({ state: 'succeeded' });
    expect(done.outputTail).toContain('installed hello-upd=1.0-1');
    expect(done.restart).toEqual({
      reboot: false,
      services: [],
      packages: [],
      source: 'reboot-required',
    });
    expect(installedVersion(root)).toBe('1.0-1');
    expect(readFileSync(marker, 'utf8')).toBe('restarted\n');
    // 11268: installed, no restart was needed (the seed's table 3).
    await waitFor('the no-restart message', async () =>
      (await messageIds(START + 20 * MINUTE)).includes(11268) ? true : undefined,
    );
  }, 300_000);

  /** The ids of the device's status messages since `sinceMs`, oldest first. */
  async function messageIds(sinceMs: number): Promise<number[]> {
    const { items } = await api.call(ops.status.listMessages, {
      query: {
        deviceId: site.devices[0]?.id ?? '',
        since: new Date(sinceMs).toISOString(),
        limit: 1000,
      },
    });
    return items.map((m) => m.messageId).reverse();
  }

  it('counts down, takes a snooze, runs the final countdown, waits for a window, restarts once', async () => {
    const stateDir = site.agents[0]?.stateDir ?? '';
    const groupId = await publishedGroup('Restart countdown', [updateIds.v2]);
    const d = await api.call(ops.updateDeployments.createUpdateDeployment, {
      body: {
        groupId,
        collectionId,
        deadline: wall(START + 30 * MINUTE),
        restartCountdownMinutes: 60,
        restartMaxSnoozeMinutes: 60,
        restartFinalCountdownMinutes: 15,
      },
    });
    expect(d).toMatchObject({ restartCountdownMinutes: 60, reminderIntervalMinutes: 180 });
    const since = START + 30 * MINUTE;
    setClock(START + 31 * MINUTE);
    // Installed; the restart waits for its countdown (the device stays pending restart).
    const counting = await settled(d, (r) => r.reason?.startsWith('restart countdown') === true);
    expect(counting.state).toBe('reboot-pending');
    expect(installedVersion(root)).toBe('2.0-1');
    expect(readFileSync(marker, 'utf8')).toBe('restarted\n');
    // The agent's clock runs on from the test's setting: times are compared by difference.
    const list = await center(stateDir, ['list']);
    const restarts = Array.isArray(list['restarts']) ? list['restarts'] : [];
    expect(restarts).toEqual([
      expect.objectContaining({ deploymentId: d.deploymentId, phase: 'countdown' }),
    ]);
    const entry: unknown = restarts[0];
    const fields = new Map(
      typeof entry === 'object' && entry !== null ? Object.entries(entry) : [],
    );
    const field = (name: string) => Date.parse(String(fields.get(name)));
    const restartAt = field('restartAt');
    expect(restartAt - (START + 91 * MINUTE)).toBeGreaterThanOrEqual(0);
    expect(restartAt - (START + 91 * MINUTE)).toBeLessThan(5 * MINUTE);
    expect(field('mandatoryAt') - restartAt).toBe(60 * MINUTE);
    // Snoozed by 30 minutes; 60 more would pass the snooze limit.
    expect(await center(stateDir, ['snooze', d.deploymentId, '--minutes', '30'])).toMatchObject({
      ok: true,
      restartAt: new Date(restartAt + 30 * MINUTE).toISOString(),
    });
    expect(await center(stateDir, ['snooze', d.deploymentId, '--minutes', '60'])).toMatchObject({
      ok: false,
      code: 'SNOOZE_LIMIT',
    });
    // 15 minutes before the restart: the final countdown, which cannot be snoozed.
    setClock(START + 107 * MINUTE);
    await settled(d, (r) => r.reason?.startsWith('final restart countdown') === true);
    expect(await center(stateDir, ['snooze', d.deploymentId, '--minutes', '5'])).toMatchObject({
      ok: false,
      code: 'NOT_SNOOZABLE',
    });
    // The agent next looks after the window closed (12:05): postponed to the next window.
    setClock(START + 250 * MINUTE);
    const waiting = await settled(d, (r) => r.reason?.includes('maintenance window') === true);
    expect(waiting.state).toBe('reboot-pending');
    expect(readFileSync(marker, 'utf8')).toBe('restarted\n');
    // In the next window: the final countdown again (the user was warned already), then once.
    await jumpTo(START + 24 * HOUR + 6 * MINUTE);
    await settled(d, (r) => r.reason?.startsWith('final restart countdown') === true);
    setClock(START + 24 * HOUR + 22 * MINUTE);
    const done = await settled(d, (r) => r.state === 'succeeded');
    expect(done.outputTail).toContain('restarted (no restart is required any more)');
    // The restart the install left was read from the flag files; the restart cleared it.
    expect(done.restart).toEqual({
      reboot: false,
      services: [],
      packages: [],
      source: 'reboot-required',
    });
    expect(readFileSync(marker, 'utf8')).toBe('restarted\nrestarted\n');
    const ids = await waitFor('the restart messages', async () => {
      const got = await messageIds(since);
      return got.includes(40512) ? got : undefined;
    });
    // Restart required (11270), countdown, user postponed (11262), final countdown, auto-postponed
    // (11263), final countdown again, mandatory restart (11264), forced (11265), verified.
    const wanted = [11270, 40510, 11262, 40511, 11263, 40511, 11264, 11265, 40512];
    expect(ids.filter((id) => wanted.includes(id)).sort()).toEqual([...wanted].sort());
  }, 600_000);

  it('reminds users who may postpone every interval as the deadline nears, and takes a postponement', async () => {
    const stateDir = site.agents[0]?.stateDir ?? '';
    const groupId = await publishedGroup('Reminders', [updateIds.v1]);
    const deadline = START + 48 * HOUR + 2 * HOUR; // 10:00, inside the update window
    const d = await api.call(ops.updateDeployments.createUpdateDeployment, {
      body: {
        groupId,
        collectionId,
        deadline: wall(deadline),
        maxPostponeMinutes: 120,
        allowDowngrades: true,
      },
    });
    const since = START + 24 * HOUR + 30 * MINUTE;
    // 7, 4 and 1 hours before: three reminders (every 3 hours), one per interval.
    for (const [i, before] of [7, 4, 1].entries()) {
      await jumpTo(deadline - before * HOUR);
      await waitFor(`reminder ${i + 1}`, async () => {
        const ids = await messageIds(since);
        return ids.filter((id) => id === 40514).length === i + 1 || undefined;
      });
    }
    expect(await center(stateDir, ['postpone', d.deploymentId, '--minutes', '60'])).toMatchObject({
      ok: true,
      postponedUntil: new Date(deadline + 60 * MINUTE).toISOString(),
    });
    await waitFor('the postponement message', async () =>
      (await messageIds(since)).includes(11253) ? true : undefined,
    );
  }, 600_000);

  it('keeps a restart suppressed on servers pending and visible; a restart deadline the admin sets makes it mandatory', async () => {
    // The earlier cases' deployments leave the agent's assignments; back to 1.0 (no restart).
    const { items } = await api.call(ops.updateDeployments.listUpdateDeployments, {});
    for (const x of items)
      await api.call(ops.updateDeployments.updateUpdateDeployment, {
        params: { id: x.id },
        body: { enabled: false },
      });
    const day = START + 72 * HOUR; // 08:00; the update window is 08:05 to 12:05
    await jumpTo(day);
    const back = await api.call(ops.updateDeployments.createUpdateDeployment, {
      body: {
        groupId: await publishedGroup('Back to 1.0', [updateIds.v1]),
        collectionId,
        deadline: wall(day + 10 * MINUTE),
        allowDowngrades: true,
        notifyUsers: false,
      },
    });
    setClock(day + 11 * MINUTE);
    await settled(back, (r) => r.state === 'succeeded');
    expect(installedVersion(root)).toBe('1.0-1');
    const restartsDone = () => (existsSync(marker) ? readFileSync(marker, 'utf8') : '');
    const restartsBefore = restartsDone();

    const d = await api.call(ops.updateDeployments.createUpdateDeployment, {
      body: {
        groupId: await publishedGroup('Servers keep running', [updateIds.v2]),
        collectionId,
        deadline: wall(day + 20 * MINUTE),
        suppressRestartServers: true,
      },
    });
    expect(d.suppressedRestartDeadlineMinutes).toBe(0);
    setClock(day + 21 * MINUTE);
    // Installed; the restart is suppressed (the device is a server) and waits, visibly.
    const suppressed = await settled(
      d,
      (r) => r.state === 'reboot-pending' && r.reason?.includes('suppressed on servers') === true,
    );
    expect(suppressed.reason).not.toContain('mandatory from');
    // What the install left: hello-upd's postinst raised the reboot flag (no needrestart here).
    expect(suppressed.restart).toEqual({
      reboot: true,
      services: [],
      packages: ['hello-upd'],
      source: 'reboot-required',
    });
    expect(installedVersion(root)).toBe('2.0-1');
    expect(restartsDone()).toBe(restartsBefore);
    // The administrator sets a restart deadline: it applies to the restart already pending.
    await api.call(ops.updateDeployments.updateUpdateDeployment, {
      params: { id: d.id },
      body: { suppressedRestartDeadlineMinutes: 30 },
    });
    const dated = await settled(d, (r) => r.reason?.includes('mandatory from') === true);
    const mandatoryFrom = Date.parse(dated.reason?.split('mandatory from ')[1] ?? '');
    expect(mandatoryFrom - (day + 51 * MINUTE)).toBeGreaterThanOrEqual(0);
    expect(mandatoryFrom - (day + 51 * MINUTE)).toBeLessThan(5 * MINUTE);
    // Past it, inside the window: the suppression ends and the final countdown runs, then once.
    setClock(day + 57 * MINUTE);
    await settled(d, (r) => r.reason?.startsWith('final restart countdown') === true);
    setClock(day + 75 * MINUTE);
    const done = await settled(d, (r) => r.state === 'succeeded');
    expect(done.outputTail).toContain('restarted (no restart is required any more)');
    // The restart the install left was read from the flag files; the restart cleared it.
    expect(done.restart).toEqual({
      reboot: false,
      services: [],
      packages: [],
      source: 'reboot-required',
    });
    expect(restartsDone()).toBe(`${restartsBefore}restarted\n`);
    const ids = await waitFor('the restart messages', async () => {
      const got = await messageIds(day);
      return got.includes(40512) ? got : undefined;
    });
    // Suppressed on a server (11267), mandatory at the deadline (40704), final countdown,
    // mandatory restart (11264), forced (11265), verified.
    const wanted = [11267, 40704, 40511, 11264, 11265, 40512];
    expect(ids.filter((id) => wanted.includes(id)).sort()).toEqual([...wanted].sort());
  }, 600_000);
});
