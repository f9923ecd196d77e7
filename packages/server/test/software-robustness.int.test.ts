import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiClient } from '@steward/protocol';
import { pgReachable, createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import {
  createPackageFromFiles,
  createScriptProgram,
  deploymentMessages,
  deployRequiredAsap,
  deviceState,
  distributeAndWait,
  processAlive,
  readIfExists,
  sha256Hex,
  shellScript,
  startDp,
  waitForDeviceState,
  type DpHandle,
} from '../../../test-support/software.js';

/**
 * Issue 3's robustness requirements with real processes: a site server, `steward server --roles
 * dp` processes and a `steward-agent run` process running shell scripts from content it
 * downloaded. Agents and DPs are killed with SIGKILL mid-download and mid-run; content is damaged
 * on a DP's disk; a program is disabled while it runs.
 */

const hasPg = await pgReachable();
const MiB = 1024 * 1024;
/** The agent's download throttle where a download must still be running when something is killed. */
const THROTTLED = { STEWARD_AGENT_MAX_BYTES_PER_SECOND: String(4 * MiB) };

async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, code: err.code };
    throw err;
  }
  throw new Error('the request was accepted');
}

function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Exit status files the run wrapper wrote in an agent's state directory. */
function runExitFiles(stateDir: string): string[] {
  const root = join(stateDir, 'runs');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((id) => join(root, id, 'exit'))
    .filter((p) => existsSync(p));
}

async function agentStarts(api: ApiClient, deviceId: string): Promise<number> {
  return (await api.listStatusMessages({ deviceId, messageId: 40001, limit: 1000 })).items.length;
}

/** Waits for a device's status message about a deployment to arrive, then returns them all. */
async function messagesOnce(
  api: ApiClient,
  deviceId: string,
  deploymentId: string,
  messageId: number,
) {
  return waitFor(`status message ${messageId}`, async () => {
    const list = await deploymentMessages(api, deviceId, deploymentId, messageId);
    return list.length > 0 && list;
  });
}

/** Scenario 1: a package of shell scripts from a DP process to a real agent, run once. */
async function happyPath(site: Site, dp: DpHandle, work: string): Promise<void> {
  const { api } = site;
  const deviceId = site.agents[0]?.deviceId ?? '';
  const marker = join(work, 'happy.marker');
  const script = shellScript(`. ./lib.sh\necho "$GREETING from $STEWARD_PACKAGE_DIR" > ${marker}`);
  const lib = { path: 'lib.sh', content: 'GREETING=installed\n', mode: 0o644 };
  const { pkg, program } = await createScriptProgram(api, {
    packageName: 'happy',
    script,
    extraFiles: [lib],
  });
  expect(pkg.uploaded).toBe(2);
  // The same files in another package: nothing crosses the wire (single-instance storage).
  const copy = [{ path: 'install.sh', content: script }, lib];
  expect((await createPackageFromFiles(api, 'happy-copy', copy)).uploaded).toBe(0);
  await distributeAndWait(api, 'happy', [dp.id, 'site-server']);
  const dep = await deployRequiredAsap(api, program.id);
  const row = await waitForDeviceState(api, dep.id, deviceId, ['succeeded', 'failed']);
  expect(row).toMatchObject({ state: 'succeeded', exitCode: 0, runCount: 1, reasonCode: null });
  expect(readFileSync(marker, 'utf8')).toMatch(/^installed from \//);
  for (const id of [10002, 10005, 10008])
    expect(await messagesOnce(api, deviceId, dep.id, id)).toHaveLength(1);
  // Downloaded from the DP process (listed before the site server), not from the site.
  const started = await messagesOnce(api, deviceId, dep.id, 40100);
  expect(started.map((m) => m.attributes['dpId'])).toEqual([dp.id]);
  expect(await api.deploymentSummary(dep.id)).toMatchObject({ targeted: 1, successPercent: 100 });
  await api.deleteDeployment(dep.id);
}

/**
 * Scenario 3: the agent is SIGKILLed while a program runs. The program either finishes while
 * no agent runs (the next one reports it from the exit file) or is still running when the next
 * agent starts (re-attached). Either way the outcome is reported once and correctly.
 */
async function killAgentMidRun(site: Site, work: string): Promise<void> {
  const { api } = site;
  const agent = site.agents[0];
  if (!agent) throw new Error('no agent');
  const deviceId = agent.deviceId;
  for (const c of [
    { name: 'finishes-while-down', exit: 3, state: 'reboot-pending', msg: 10009 },
    { name: 'still-running', exit: 0, state: 'succeeded', msg: 10008 },
  ] as const) {
    const dir = join(work, c.name);
    mkdirSync(dir);
    const { program } = await createScriptProgram(api, {
      packageName: c.name,
      // Runs until the test lets it finish: the agent is killed while it certainly runs.
      script: shellScript(
        `echo $$ > ${dir}/pid\nwhile [ ! -f ${dir}/go ]; do sleep 0.1; done\necho done > ${dir}/marker\nexit ${c.exit}`,
      ),
      program: { rebootExitCodes: [3] },
    });
    await distributeAndWait(api, c.name, ['site-server']);
    const dep = await deployRequiredAsap(api, program.id);
    await waitForDeviceState(api, dep.id, deviceId, 'running');
    const pid = Number(await waitFor('pid file', () => readIfExists(join(dir, 'pid'))));
    await agent.stop('SIGKILL');
    expect(processAlive(pid)).toBe(true);
    if (c.name === 'finishes-while-down') {
      writeFileSync(join(dir, 'go'), '');
      // The run's wrapper has written the exit status the next agent will report.
      await waitFor('exit status written', () => runExitFiles(agent.stateDir).length > 0);
      expect(processAlive(pid)).toBe(false);
      agent.start();
    } else {
      // Let go only once the new agent process has re-attached it: its start message is
      // delivered after the runs a previous process left were recovered.
      const starts = await agentStarts(api, deviceId);
      agent.start();
      await waitFor('agent restarted', async () => (await agentStarts(api, deviceId)) > starts);
      expect(processAlive(pid)).toBe(true);
      writeFileSync(join(dir, 'go'), '');
    }
    const row = await waitForDeviceState(api, dep.id, deviceId, (r) => r.state !== 'running');
    expect(row).toMatchObject({ state: c.state, exitCode: c.exit, runCount: 1 });
    expect(readFileSync(join(dir, 'marker'), 'utf8')).toBe('done\n');
    expect(await messagesOnce(api, deviceId, dep.id, c.msg)).toHaveLength(1);
    // Raised by the killed agent: it may reach the site after the outcome the next one reported.
    expect(await messagesOnce(api, deviceId, dep.id, 10005)).toHaveLength(1);
    expect(await deploymentMessages(api, deviceId, dep.id, 10006)).toHaveLength(0);
    await api.deleteDeployment(dep.id);
  }
}

describe.skipIf(!hasPg)('software distribution with real processes (PostgreSQL)', () => {
  let site: Site;
  let dp: DpHandle;
  let work: string;
  beforeAll(async () => {
    site = await createTestSite({ dialect: 'postgres', withEnrolledDevices: 1 });
    dp = await startDp(site, 'branch-pg');
    work = join(site.dir, 'work');
    mkdirSync(work, { recursive: true });
  });
  afterAll(async () => {
    await dp?.stop();
    await site?.stop();
  });

  it('1. runs a package of shell scripts from a DP process once and reports it', async () => {
    await happyPath(site, dp, work);
  });

  it('3. reports a run once when the agent is killed mid-run', async () => {
    await killAgentMidRun(site, work);
  });
});

describe('software distribution robustness with real processes (SQLite)', () => {
  let site: Site;
  let dpA: DpHandle;
  let work: string;
  let deviceId: string;
  const agent = () => {
    const a = site.agents[0];
    if (!a) throw new Error('no agent');
    return a;
  };

  beforeAll(async () => {
    site = await createTestSite({ dialect: 'sqlite', withEnrolledDevices: 1 });
    dpA = await startDp(site, 'branch-a');
    work = join(site.dir, 'work');
    mkdirSync(work, { recursive: true });
    deviceId = agent().deviceId;
  });
  afterEach((ctx) => {
    // What the processes said, when a scenario fails (they log to their captured output).
    if (ctx.task.result?.state !== 'fail') return;
    console.error(`agent output:\n${agent().proc?.output().slice(-4000) ?? ''}`);
  });
  afterAll(async () => {
    await dpA?.stop();
    await site?.stop();
  });

  it('1. runs a package of shell scripts from a DP process once and reports it', async () => {
    await happyPath(site, dpA, work);
  });

  it('5. never runs content that fails its hash; moves on to a DP with good content', async () => {
    const { api } = site;
    const marker = join(work, 'tampered.marker');
    const script = shellScript(`echo ran > ${marker}`);
    const { pkg, program } = await createScriptProgram(api, { packageName: 'tampered', script });
    // Only the branch DP holds it, and its copy is damaged on disk (same size, other bytes).
    await distributeAndWait(api, 'tampered', [dpA.id]);
    const stored = dpA.storedPath(pkg.files[0]?.sha256 ?? '');
    expect(readFileSync(stored, 'utf8')).toBe(script);
    const evil = shellScript(`echo BAD > ${marker}`);
    expect(Buffer.byteLength(evil)).toBe(statSync(stored).size);
    writeFileSync(stored, evil);
    const dep = await deployRequiredAsap(api, program.id);
    const row = await waitForDeviceState(api, dep.id, deviceId, (r) => r.reasonCode !== null);
    expect(row).toMatchObject({
      state: 'waiting-content',
      reasonCode: 'HASH_MISMATCH',
      runCount: 0,
    });
    expect(await messagesOnce(api, deviceId, dep.id, 40103)).toHaveLength(1);
    expect(existsSync(marker)).toBe(false);
    expect(await deploymentMessages(api, deviceId, dep.id, 10005)).toHaveLength(0);

    // Good content on the site server too: the rerun tries the branch DP first (refused again),
    // then the site server, and runs what the manifest says.
    await distributeAndWait(api, 'tampered', ['site-server']);
    await api.rerunDeployment(dep.id);
    const done = await waitForDeviceState(api, dep.id, deviceId, ['succeeded', 'failed']);
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0, runCount: 1 });
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    expect(await deploymentMessages(api, deviceId, dep.id, 40103)).toHaveLength(2);
    await api.deleteDeployment(dep.id);
  });

  it('3. reports a run once when the agent is killed mid-run (finished meanwhile, or still running)', async () => {
    await killAgentMidRun(site, work);
  });

  it('6. disabling a program stops its mandatory run at once; nothing of it starts while disabled', async () => {
    const { api } = site;
    const dir = join(work, 'disable');
    mkdirSync(dir);
    const { program } = await createScriptProgram(api, {
      packageName: 'long-runner',
      // No trap: it must be killed, not asked. It ends by itself only when told to.
      script: shellScript(
        `echo $$ > ${dir}/pid\nwhile [ ! -f ${dir}/stop ]; do echo beat >> ${dir}/heartbeat; sleep 0.1; done\necho finished > ${dir}/marker`,
      ),
    });
    await distributeAndWait(api, 'long-runner', ['site-server']);
    const first = await deployRequiredAsap(api, program.id);
    await waitForDeviceState(api, first.id, deviceId, 'running');
    const pid = Number(await waitFor('pid file', () => readIfExists(join(dir, 'pid'))));
    expect(processAlive(pid)).toBe(true);

    await api.setProgramDisabled(program.id, true);
    // Within the push nudge: well before the agent's own 30 s evaluation or policy poll.
    const stopped = await waitForDeviceState(api, first.id, deviceId, 'failed', 20_000);
    expect(stopped).toMatchObject({ reasonCode: 'PROGRAM_DISABLED', runCount: 1 });
    await waitFor('process group gone', () => !processAlive(pid), 10_000);
    const beats = fileSize(join(dir, 'heartbeat'));
    expect(beats).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'marker'))).toBe(false);
    expect(await messagesOnce(api, deviceId, first.id, 40112)).toHaveLength(1);

    // A new deployment of the disabled program is received but never started: a deployment of
    // another program made after it runs (one run at a time, oldest due first), it does not.
    rmSync(join(dir, 'pid'));
    const second = await deployRequiredAsap(api, program.id, { name: 'while disabled' });
    const other = await createScriptProgram(api, {
      packageName: 'quick',
      script: shellScript(`echo quick > ${dir}/quick`),
    });
    await distributeAndWait(api, 'quick', ['site-server']);
    const third = await deployRequiredAsap(api, other.program.id);
    await waitForDeviceState(api, third.id, deviceId, 'succeeded');
    expect((await deviceState(api, second.id, deviceId))?.state).toBe('received');
    expect(await deploymentMessages(api, deviceId, second.id, 10005)).toHaveLength(0);
    expect(existsSync(join(dir, 'pid'))).toBe(false);
    // Nothing of the stopped run lives on (its heartbeat stopped with it).
    expect(fileSize(join(dir, 'heartbeat'))).toBe(beats);

    // Enabled again: it runs (and is let finish this time).
    await api.setProgramDisabled(program.id, false);
    await waitForDeviceState(api, second.id, deviceId, 'running');
    await waitFor('pid file', () => readIfExists(join(dir, 'pid')));
    writeFileSync(join(dir, 'stop'), '');
    const done = await waitForDeviceState(api, second.id, deviceId, ['succeeded', 'failed']);
    expect(done).toMatchObject({ state: 'succeeded', exitCode: 0, runCount: 1 });
    expect(readFileSync(join(dir, 'marker'), 'utf8')).toBe('finished\n');
    for (const d of [first, second, third]) await api.deleteDeployment(d.id);
  });

  it('7. refuses bad input with a clear code and creates nothing', async () => {
    const { api } = site;
    const { program } = await createScriptProgram(api, {
      packageName: 'refusals',
      script: shellScript('true'),
    });
    const before = (await api.listDeployments()).length;
    expect(
      await refusal(deployRequiredAsap(api, program.id, { collectionId: 'no-such-collection' })),
    ).toEqual({ status: 404, code: 'COLLECTION_NOT_FOUND' });
    expect(
      await refusal(
        deployRequiredAsap(api, program.id, {
          triggers: [{ type: 'at', start: '2020-01-01T00:00' }],
        }),
      ),
    ).toMatchObject({ code: 'SCHEDULE_IN_PAST' });
    expect(
      await refusal(
        api.createMaintenanceWindow('all-systems', {
          name: 'zero',
          start: '2099-01-01T22:00',
          durationMinutes: 0,
          recurrence: { kind: 'none' },
          timeBase: 'utc',
          appliesTo: 'all',
          enabled: true,
        }),
      ),
    ).toEqual({ status: 400, code: 'INVALID_INPUT' });
    expect(await api.listMaintenanceWindows('all-systems')).toEqual([]);

    // A program depending on itself, or through another one on itself.
    expect(
      await refusal(api.updateProgram(program.id, { dependsOnProgramId: program.id })),
    ).toMatchObject({ status: 400, code: 'PROGRAM_DEPENDENCY_CYCLE' });
    const second = await api.createProgram('refusals', {
      name: 'Second',
      commandLine: 'true',
      dependsOnProgramId: program.id,
    });
    expect(
      await refusal(api.updateProgram(program.id, { dependsOnProgramId: second.id })),
    ).toMatchObject({ code: 'PROGRAM_DEPENDENCY_CYCLE' });
    expect((await api.getProgram(program.id)).dependsOnProgramId).toBeNull();

    // Missing content: a version naming a file the library lacks, and a package with none.
    const ghost = sha256Hex('never uploaded');
    const missing = await refusal(
      api.createVersionFromFiles('refusals', [
        { path: 'ghost.bin', sha256: ghost, size: 14, mode: 0o644 },
      ]),
    );
    expect(missing).toMatchObject({ code: 'CONTENT_MISSING' });
    expect(await api.packageVersions('refusals')).toHaveLength(1);
    await api.createPackage({ name: 'empty' });
    const emptyProgram = await api.createProgram('empty', { name: 'Nothing', commandLine: 'true' });
    expect(await refusal(deployRequiredAsap(api, emptyProgram.id))).toMatchObject({
      code: 'CONTENT_MISSING',
    });
    expect((await api.listDeployments()).length).toBe(before);
    expect(await api.listPrograms('refusals')).toHaveLength(2);
  });

  it('2. resumes a download after the agent is killed mid-transfer and runs once', async () => {
    const { api } = site;
    const big = randomBytes(24 * MiB);
    const bigSha = sha256Hex(big);
    const marker = join(work, 'big.marker');
    const { pkg, program } = await createScriptProgram(api, {
      packageName: 'big',
      script: shellScript(`sha256sum big.bin | cut -d' ' -f1 > ${marker}`),
      extraFiles: [{ path: 'big.bin', content: big }],
    });
    const total = pkg.files.reduce((sum, f) => sum + f.size, 0);
    await distributeAndWait(api, 'big', ['site-server']);
    // Throttled so that the kill lands mid-file (the agent's own rate limit).
    await agent().stop();
    agent().start(THROTTLED);
    const dep = await deployRequiredAsap(api, program.id);
    const partial = join(agent().stateDir, 'cache', 'partial', bigSha);
    await waitFor('part of the file downloaded', () => fileSize(partial) >= 4 * MiB, 60_000, 20);
    await agent().stop('SIGKILL');
    const atKill = fileSize(partial);
    expect(atKill).toBeLessThan(big.length);

    agent().start(THROTTLED);
    const row = await waitForDeviceState(api, dep.id, deviceId, ['succeeded', 'failed']);
    expect(row).toMatchObject({ state: 'succeeded', exitCode: 0, runCount: 1 });
    expect(readFileSync(marker, 'utf8')).toBe(`${bigSha}\n`);
    // "Downloading N bytes" once per agent process: the second one only asked for the rest.
    const started = await deploymentMessages(api, deviceId, dep.id, 40100);
    const remaining = started.map((m) => Number(m.insertionStrings[1])).sort((a, b) => b - a);
    expect(remaining).toHaveLength(2);
    expect(remaining[0]).toBe(total);
    expect(remaining[1]).toBeGreaterThan(0);
    expect(remaining[1]).toBeLessThanOrEqual(total - atKill);
    expect(await deploymentMessages(api, deviceId, dep.id, 10005)).toHaveLength(1);
    expect(await messagesOnce(api, deviceId, dep.id, 10008)).toHaveLength(1);
    await api.deleteDeployment(dep.id);
  });

  it('4. moves to the next DP when the one it downloads from goes away', async () => {
    const { api } = site;
    const data = randomBytes(16 * MiB);
    const dataSha = sha256Hex(data);
    const marker = join(work, 'failover.marker');
    const { program } = await createScriptProgram(api, {
      packageName: 'failover',
      script: shellScript(`sha256sum data.bin | cut -d' ' -f1 > ${marker}`),
      extraFiles: [{ path: 'data.bin', content: data }],
    });
    await distributeAndWait(api, 'failover', [dpA.id, 'site-server']);
    const order = await api.resolveContentLocations('127.0.0.1', 'failover');
    expect(order.locations.map((l) => l.dpId)).toEqual([dpA.id, expect.any(String)]);
    // The agent still downloads at 4 MiB/s (scenario 2): the DP is killed mid-file.
    const dep = await deployRequiredAsap(api, program.id);
    const partial = join(agent().stateDir, 'cache', 'partial', dataSha);
    await waitFor('downloading from the branch DP', async () => {
      const started = await deploymentMessages(api, deviceId, dep.id, 40100);
      return started[0]?.attributes['dpId'] === dpA.id && fileSize(partial) >= 2 * MiB;
    });
    await dpA.stop('SIGKILL');

    const row = await waitForDeviceState(api, dep.id, deviceId, ['succeeded', 'failed']);
    expect(row).toMatchObject({ state: 'succeeded', exitCode: 0, runCount: 1 });
    expect(readFileSync(marker, 'utf8')).toBe(`${dataSha}\n`);
    const lost = await messagesOnce(api, deviceId, dep.id, 40102);
    expect(lost.map((m) => m.attributes['dpId'])).toEqual([dpA.id]);
    const started = await deploymentMessages(api, deviceId, dep.id, 40100);
    const fromSite = started.find((m) => m.attributes['dpId'] !== dpA.id);
    // The site server was asked only for what the branch DP had not delivered.
    expect(Number(fromSite?.insertionStrings[1])).toBeLessThan(data.length);
    await api.deleteDeployment(dep.id);
  });
});
