/**
 * Schedules, maintenance windows, phased deployments, the Software Center and "rerun deployment"
 * end to end (issue 3): a real site server process, real `steward-agent run` processes running
 * real shell scripts from content they downloaded, and one clock the test moves: the file named
 * by STEWARD_TEST_CLOCK_FILE, read by the server and by every agent (ADR 0007).
 *
 * "It does not run" is never asserted after a sleep. The agent starts one run at a time, oldest
 * trigger first, so a sentinel deployment created afterwards (a newer 'asap' trigger) succeeding
 * proves that anything due before it would have run first.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiClient,
  DeploymentDeviceState,
  PhasedDeployment,
  Program,
} from '@steward/protocol';
import { fileClock } from '@steward/protocol/node';
import {
  exec,
  pgReachable,
  createTestSite,
  STEWARD_AGENT,
  waitFor,
  type AgentHandle,
  type Site,
} from '../../../test-support/site.js';
import {
  createScriptProgram,
  deployRequiredAsap,
  deviceState,
  distributeAndWait,
  readIfExists,
  waitForDeviceState,
} from '../../../test-support/software.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The test-controlled clock: "now" is the instant in the file plus real time since it was written. */
interface TestClock {
  file: string;
  set(ms: number): void;
  now(): number;
}

function testClock(dir: string, startIso: string): TestClock {
  const file = join(dir, 'clock');
  // Read back as the server and the agents read it (STEWARD_TEST_CLOCK_FILE).
  const reader = fileClock(file);
  const clock: TestClock = {
    file,
    set(ms) {
      writeFileSync(file, new Date(ms).toISOString());
    },
    now: () => reader.now().getTime(),
  };
  clock.set(Date.parse(startIso));
  return clock;
}

/** A wall time (`YYYY-MM-DDTHH:MM`, read as UTC by the deployments below). */
const wall = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const iso = (ms: number) => new Date(ms).toISOString();

/** Moving the clock by a day outlives the admin session (24 h by the server's clock). */
async function relogin(site: Site): Promise<void> {
  site.api.setToken((await site.api.login(site.adminUser, site.adminPassword)).token);
}

async function moveClock(site: Site, clock: TestClock, ms: number): Promise<void> {
  clock.set(ms);
  await relogin(site);
}

/** A collection holding exactly these devices (direct membership). */
async function collectionOf(api: ApiClient, name: string, agents: AgentHandle[]): Promise<string> {
  const c = await api.createCollection({
    name,
    rules: agents.map((a) => ({ kind: 'direct' as const, deviceId: a.deviceId })),
  });
  await waitFor(
    `collection ${name} evaluated`,
    async () => (await api.getCollection(c.id)).memberCount === agents.length,
  );
  return c.id;
}

/** Every program below appends "<deployment id> <package dir>" to one file per site. */
interface Fixture {
  marker: string;
  /** Succeeds; 30 minutes maximum run time. */
  ok: Program;
  /** Succeeds; 90 minutes maximum run time (does not fit a 60-minute window). */
  long: Program;
  /** Exits 1. */
  fails: Program;
}

async function programs(site: Site): Promise<Fixture> {
  const marker = join(site.dir, 'runs.log');
  const script = `#!/bin/sh\necho "$STEWARD_DEPLOYMENT_ID $STEWARD_PACKAGE_DIR" >> '${marker}'\n`;
  const { pkg, program: ok } = await createScriptProgram(site.api, {
    packageName: 'Schedules',
    script,
    program: { name: 'OK', maxRunMinutes: 30 },
  });
  const long = await site.api.createProgram(pkg.name, {
    name: 'Long',
    commandLine: 'sh install.sh',
    maxRunMinutes: 90,
  });
  const fails = await site.api.createProgram(pkg.name, {
    name: 'Fails',
    commandLine: 'sh install.sh; exit 1',
    maxRunMinutes: 30,
  });
  await distributeAndWait(site.api, pkg.name, ['site-server']);
  return { marker, ok, long, fails };
}

/** How many times the deployment's program really ran on this agent. */
function runsOf(f: Fixture, deploymentId: string, agent: AgentHandle): number {
  const lines = (readIfExists(f.marker) ?? '').split('\n');
  return lines.filter((l) => l.startsWith(`${deploymentId} ${agent.stateDir}/`)).length;
}

/** The device's row shows the deployment's program succeeded, `n` runs in all. */
const succeededRuns =
  (n: number) =>
  (r: DeploymentDeviceState): boolean =>
    r.state === 'succeeded' && r.runCount === n;

/**
 * Proof that nothing older is due on the device: a required 'asap' deployment of a program that
 * fits any open window runs and succeeds (runs are serial, oldest trigger first), then goes away.
 */
async function sentinel(
  site: Site,
  f: Fixture,
  collectionId: string,
  agent: AgentHandle,
): Promise<void> {
  const dep = await deployRequiredAsap(site.api, f.ok.id, { collectionId });
  await waitForDeviceState(site.api, dep.id, agent.deviceId, 'succeeded');
  await site.api.deleteDeployment(dep.id);
}

/** Asks the device to evaluate its deployments now and waits until it says it has. */
async function evaluateNow(api: ApiClient, agent: AgentHandle): Promise<void> {
  const action = await api.requestDeviceAction(agent.deviceId, 'deployments:evaluate');
  await waitFor(
    'deployments:evaluate done',
    async () =>
      (await api.deviceActions(agent.deviceId)).find((a) => a.id === action.id)?.state ===
      'completed',
  );
}

const nudge = (api: ApiClient, collectionId: string) =>
  api.notifyCollection(collectionId, 'deployments:evaluate');

interface CenterResult {
  code: number | null;
  json: unknown;
}

/** `steward-agent center ... --json` against the agent's socket. */
async function center(agent: AgentHandle, args: string[]): Promise<CenterResult> {
  const r = await exec(STEWARD_AGENT, ['center', ...args, '--json', '--state-dir', agent.stateDir]);
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`center ${args.join(' ')}: ${String(r.code)} ${r.stdout}${r.stderr}`);
  }
  return { code: r.code, json };
}

interface CenterListEntry {
  deploymentId: string;
  name: string;
  purpose: string;
  state: string;
  nextRunAt: string | null;
  postponedUntil: string | null;
}

async function centerList(agent: AgentHandle): Promise<CenterListEntry[]> {
  const r = await center(agent, ['list']);
  expect(r.code).toBe(0);
  const body = r.json as { ok: boolean; deployments: CenterListEntry[] };
  return body.deployments;
}

describe('schedules, Software Center, rerun and phased deployments (sqlite, 3 agents)', () => {
  let site: Site;
  let clock: TestClock;
  let work: string;
  let notifications: string;
  let f: Fixture;
  let a: AgentHandle;
  let b: AgentHandle;
  let c: AgentHandle;
  let colA = '';
  let colB = '';
  let colC = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'steward-schedules-'));
    clock = testClock(work, '2031-05-05T08:00:00.000Z');
    // A desktop for the agents: DISPLAY set, logind silent, and a notify-send that records.
    const bin = join(work, 'bin');
    mkdirSync(bin);
    notifications = join(work, 'notifications.log');
    writeFileSync(join(bin, 'notify-send'), `#!/bin/sh\necho "$*" >> '${notifications}'\n`);
    writeFileSync(join(bin, 'loginctl'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'notify-send'), 0o755);
    chmodSync(join(bin, 'loginctl'), 0o755);
    site = await createTestSite({
      withEnrolledDevices: 3,
      env: {
        STEWARD_TEST_CLOCK_FILE: clock.file,
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        DISPLAY: ':99',
      },
    });
    [a, b, c] = site.agents as [AgentHandle, AgentHandle, AgentHandle];
    f = await programs(site);
    colA = await collectionOf(site.api, 'Device A', [a]);
    colB = await collectionOf(site.api, 'Device B', [b]);
    colC = await collectionOf(site.api, 'Device C', [c]);
  }, 180_000);

  afterAll(async () => {
    await site?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs an "at" deployment once its time has come, and daily recurrences by rerun behaviour', async () => {
    const t = clock.now() + 2 * HOUR;
    const trigger = {
      type: 'at' as const,
      start: wall(t),
      recurrence: { kind: 'daily' as const, everyDays: 1 },
    };
    const always = await deployRequiredAsap(site.api, f.ok.id, {
      collectionId: colA,
      name: 'Daily always',
      triggers: [trigger],
      rerun: 'always',
    });
    const never = await deployRequiredAsap(site.api, f.ok.id, {
      collectionId: colA,
      name: 'Daily never',
      triggers: [trigger],
      rerun: 'never',
    });
    const scheduled = Date.parse(`${wall(t)}:00Z`);
    for (const d of [always, never]) {
      const row = await waitForDeviceState(site.api, d.id, a.deviceId, 'received');
      expect(row.nextRunAt).toBe(iso(scheduled));
    }
    // Received, not run: the agent's own view, and nothing older than a sentinel is due.
    const listed = await centerList(a);
    expect(listed.find((e) => e.deploymentId === always.id)).toMatchObject({
      state: 'scheduled',
      nextRunAt: iso(scheduled),
    });
    await sentinel(site, f, colA, a);
    expect(runsOf(f, always.id, a) + runsOf(f, never.id, a)).toBe(0);
    expect(await deviceState(site.api, never.id, a.deviceId)).toMatchObject({
      state: 'received',
      runCount: 0,
    });

    // Past T: both run.
    await moveClock(site, clock, scheduled + MINUTE);
    await nudge(site.api, colA);
    for (const d of [always, never])
      await waitForDeviceState(site.api, d.id, a.deviceId, succeededRuns(1));

    // One day later: 'always' runs again, 'never' does not.
    await moveClock(site, clock, scheduled + DAY + MINUTE);
    await nudge(site.api, colA);
    const again = await waitForDeviceState(site.api, always.id, a.deviceId, succeededRuns(2));
    expect(Date.parse(again.lastRunAt ?? '')).toBeGreaterThanOrEqual(scheduled + DAY);
    await sentinel(site, f, colA, a);
    expect(runsOf(f, always.id, a)).toBe(2);
    expect(runsOf(f, never.id, a)).toBe(1);
    expect(await deviceState(site.api, never.id, a.deviceId)).toMatchObject({
      state: 'succeeded',
      runCount: 1,
    });
    // Later scenarios move the clock on: these must not run again under them.
    await site.api.deleteDeployment(always.id);
    await site.api.deleteDeployment(never.id);
  }, 150_000);

  it('offers software in the Software Center, installs it on request, limits postponing and notifies the desktop', async () => {
    const offered = await site.api.createDeployment({
      name: 'Center Editor',
      programId: f.ok.id,
      collectionId: colB,
      purpose: 'available',
    });
    await waitForDeviceState(site.api, offered.id, b.deviceId, 'received');
    const entry = await waitFor('the offer in the Software Center', async () =>
      (await centerList(b)).find((e) => e.deploymentId === offered.id),
    );
    expect(entry).toMatchObject({
      name: 'Center Editor',
      purpose: 'available',
      state: 'available',
    });
    await waitFor('a desktop notification of the offer', () =>
      (readIfExists(notifications) ?? '').includes('Center Editor'),
    );
    expect(runsOf(f, offered.id, b)).toBe(0);

    const install = await center(b, ['install', offered.id]);
    expect(install).toMatchObject({ code: 0, json: { ok: true, deploymentId: offered.id } });
    await waitForDeviceState(site.api, offered.id, b.deviceId, succeededRuns(1));
    expect(runsOf(f, offered.id, b)).toBe(1);

    // A required run at T that the user may postpone by 60 minutes at most.
    const t = Date.parse(`${wall(clock.now() + 2 * HOUR)}:00Z`);
    const patch = await deployRequiredAsap(site.api, f.ok.id, {
      collectionId: colB,
      name: 'Center Patch',
      triggers: [{ type: 'at', start: wall(t) }],
      maxPostponeMinutes: 60,
    });
    await waitForDeviceState(site.api, patch.id, b.deviceId, 'received');
    await waitFor('a desktop notification of the deadline', () =>
      (readIfExists(notifications) ?? '').includes('Center Patch'),
    );
    const postponed = await center(b, ['postpone', patch.id, '--minutes', '30']);
    expect(postponed).toMatchObject({
      code: 0,
      json: { ok: true, postponedUntil: iso(t + 30 * MINUTE) },
    });
    const refused = await center(b, ['postpone', patch.id, '--minutes', '90']);
    expect(refused.code).not.toBe(0);
    expect(refused.json).toMatchObject({ ok: false, code: 'POSTPONE_LIMIT' });

    // Past T but inside the postponement: it waits.
    await moveClock(site, clock, t + 5 * MINUTE);
    expect((await centerList(b)).find((e) => e.deploymentId === patch.id)).toMatchObject({
      state: 'postponed',
      postponedUntil: iso(t + 30 * MINUTE),
    });
    await sentinel(site, f, colB, b);
    expect(runsOf(f, patch.id, b)).toBe(0);
    // Past the postponement: it runs.
    await moveClock(site, clock, t + 31 * MINUTE);
    await nudge(site.api, colB);
    await waitForDeviceState(site.api, patch.id, b.deviceId, 'succeeded');
    expect(runsOf(f, patch.id, b)).toBe(1);
    await site.api.deleteDeployment(offered.id);
    await site.api.deleteDeployment(patch.id);
  }, 150_000);

  it('reruns a deployment on every device, then on one device only', async () => {
    const colAB = await collectionOf(site.api, 'Devices A and B', [a, b]);
    const dep = await deployRequiredAsap(site.api, f.ok.id, {
      collectionId: colAB,
      name: 'Rerun me',
      rerun: 'if-succeeded',
    });
    for (const x of [a, b])
      await waitForDeviceState(site.api, dep.id, x.deviceId, succeededRuns(1));

    await site.api.rerunDeployment(dep.id);
    for (const x of [a, b])
      await waitForDeviceState(site.api, dep.id, x.deviceId, succeededRuns(2));

    await site.api.rerunDeployment(dep.id, [a.deviceId]);
    await waitForDeviceState(site.api, dep.id, a.deviceId, succeededRuns(3));
    // B has evaluated what it holds now, and nothing older than a sentinel is due there.
    await evaluateNow(site.api, b);
    await sentinel(site, f, colB, b);
    await waitForDeviceState(site.api, dep.id, b.deviceId, succeededRuns(2));
    expect([runsOf(f, dep.id, a), runsOf(f, dep.id, b)]).toEqual([3, 2]);
    await site.api.deleteDeployment(dep.id);
  }, 120_000);

  it('moves a phased deployment on after its threshold and soak, and halts a failing one by itself', async () => {
    const phase = (collectionId: string, soakMinutes: number) => ({
      collectionId,
      successPercent: 100,
      soakMinutes,
    });
    const rollout = await site.api.createPhasedDeployment({
      name: 'Rollout OK',
      programId: f.ok.id,
      phases: [phase(colA, 60), phase(colB, 0), phase(colC, 0)],
      haltOnFailurePercent: 50,
      deployment: { triggers: [{ type: 'asap' }] },
    });
    const get = () => site.api.getPhasedDeployment(rollout.id);
    const soaking = await waitFor('phase 1 soaking', async () => {
      const r = await get();
      return r.phases[0]?.state === 'soaking' && r;
    });
    expect(soaking.phases[0]?.thresholdReachedAt).not.toBeNull();
    expect(soaking.phases[1]).toMatchObject({ state: 'waiting', deploymentId: null });
    const first = soaking.phases[0]?.deploymentId ?? '';
    expect(
      (await site.api.deploymentDevices(first)).items.map((d) => [d.deviceId, d.state]),
    ).toEqual([[a.deviceId, 'succeeded']]);

    await moveClock(site, clock, clock.now() + 61 * MINUTE);
    const completed = await waitFor(
      'rollout completed',
      async () => {
        const r = await get();
        return r.state === 'completed' && r;
      },
      90_000,
    );
    expect(completed.phases.map((p) => p.state)).toEqual(['completed', 'completed', 'completed']);
    for (const [i, x] of [
      [1, b],
      [2, c],
    ] as const) {
      const id = completed.phases[i]?.deploymentId ?? '';
      const row = await waitForDeviceState(site.api, id, x.deviceId, 'succeeded');
      expect(row.runCount).toBe(1);
      expect(runsOf(f, id, x)).toBe(1);
    }

    const failing = await site.api.createPhasedDeployment({
      name: 'Rollout failing',
      programId: f.fails.id,
      phases: [phase(colA, 0), phase(colB, 0)],
      haltOnFailurePercent: 50,
      deployment: { triggers: [{ type: 'asap' }] },
    });
    const halted: PhasedDeployment = await waitFor(
      'failing rollout halted',
      async () => {
        const r = await site.api.getPhasedDeployment(failing.id);
        return r.state === 'halted' && r;
      },
      90_000,
    );
    expect(halted.haltReason).toMatch(/100% of devices failed/);
    expect(halted.phases[1]).toMatchObject({ state: 'waiting', deploymentId: null });
    const failedRow = await waitForDeviceState(
      site.api,
      halted.phases[0]?.deploymentId ?? '',
      a.deviceId,
      'failed',
    );
    expect(failedRow.exitCode).toBe(1);
    const ofRollout = (await site.api.listDeployments()).filter(
      (d) => d.phasedDeploymentId === failing.id,
    );
    expect(ofRollout).toHaveLength(1);
  }, 180_000);
});

const hasPg = await pgReachable();
const windowDialect = hasPg ? 'postgres' : 'sqlite';

describe(`maintenance windows (${windowDialect}, 1 agent)`, () => {
  let site: Site;
  let clock: TestClock;
  let work: string;
  let f: Fixture;
  let agent: AgentHandle;
  let col = '';
  const day1 = Date.parse('2031-05-05T00:00:00.000Z');

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'steward-windows-'));
    clock = testClock(work, iso(day1 + HOUR));
    site = await createTestSite({
      dialect: windowDialect,
      withEnrolledDevices: 1,
      env: { STEWARD_TEST_CLOCK_FILE: clock.file },
    });
    agent = site.agents[0] as AgentHandle;
    f = await programs(site);
    col = await collectionOf(site.api, 'Windowed', [agent]);
    await site.api.createMaintenanceWindow(col, {
      name: 'Nightly',
      start: wall(day1 + 2 * HOUR),
      durationMinutes: 60,
      recurrence: { kind: 'daily', everyDays: 1 },
      timeBase: 'utc',
      appliesTo: 'all',
      enabled: true,
    });
  }, 180_000);

  afterAll(async () => {
    await site?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs only when the maximum run time fits a window, unless told to override, also offline', async () => {
    const fits = await deployRequiredAsap(site.api, f.ok.id, { collectionId: col, name: 'Fits' });
    const row = await waitForDeviceState(site.api, fits.id, agent.deviceId, 'waiting-window');
    expect(row.nextRunAt).toBe(iso(day1 + 2 * HOUR));
    const tooLong = await deployRequiredAsap(site.api, f.long.id, {
      collectionId: col,
      name: 'Too long',
    });
    await waitForDeviceState(site.api, tooLong.id, agent.deviceId, 'waiting-window');
    const override = await deployRequiredAsap(site.api, f.long.id, {
      collectionId: col,
      name: 'Override',
      overrideMaintenanceWindows: true,
    });
    await waitForDeviceState(site.api, override.id, agent.deviceId, 'succeeded');
    expect(runsOf(f, fits.id, agent)).toBe(0);

    // 02:10, inside the window: the 30-minute program runs, the 90-minute one still waits.
    await moveClock(site, clock, day1 + 2 * HOUR + 10 * MINUTE);
    await nudge(site.api, col);
    await waitForDeviceState(site.api, fits.id, agent.deviceId, 'succeeded');
    await sentinel(site, f, col, agent);
    expect(runsOf(f, tooLong.id, agent)).toBe(0);
    expect((await deviceState(site.api, tooLong.id, agent.deviceId))?.state).toBe('waiting-window');

    // 03:30, after the window: a new deployment waits for tomorrow's window...
    await moveClock(site, clock, day1 + 3 * HOUR + 30 * MINUTE);
    const offline = await deployRequiredAsap(site.api, f.ok.id, {
      collectionId: col,
      name: 'Offline',
    });
    const waiting = await waitForDeviceState(
      site.api,
      offline.id,
      agent.deviceId,
      'waiting-window',
    );
    expect(waiting.nextRunAt).toBe(iso(day1 + DAY + 2 * HOUR));
    // ...and runs in it with the site down: the agent computes windows itself.
    await site.restartServer(async () => {
      clock.set(day1 + DAY + 2 * HOUR + 5 * MINUTE);
      await waitFor(
        'the program ran while the site was down',
        () => runsOf(f, offline.id, agent) === 1,
        90_000,
      );
    });
    await relogin(site);
    const reported = await waitForDeviceState(site.api, offline.id, agent.deviceId, 'succeeded');
    expect(reported.runCount).toBe(1);
    expect(Date.parse(reported.lastRunAt ?? '')).toBeGreaterThanOrEqual(day1 + DAY + 2 * HOUR);
    expect(runsOf(f, tooLong.id, agent)).toBe(0);
  }, 180_000);
});
