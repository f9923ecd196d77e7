import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiClient } from '@steward/protocol';
import { pgReachable, startSite, waitFor, type Site } from '../../../test-support/site.js';
import {
  createPackageFromFiles,
  createScriptProgram,
  deploymentMessages,
  deployRequiredAsap,
  distributeAndWait,
  processAlive,
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
  const files = [
    {
      path: 'install.sh',
      content: shellScript(`. ./lib.sh\necho "$GREETING from $STEWARD_PACKAGE_DIR" > ${marker}`),
    },
    { path: 'lib.sh', content: 'GREETING=installed\n', mode: 0o644 },
  ];
  expect((await createPackageFromFiles(api, 'happy', files)).uploaded).toBe(2);
  // The same files in another package: nothing crosses the wire (single-instance storage).
  expect((await createPackageFromFiles(api, 'happy-copy', files)).uploaded).toBe(0);
  const program = await api.createProgram('happy', {
    name: 'Install',
    commandLine: 'sh install.sh',
    maxRunMinutes: 5,
  });
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

describe.skipIf(!hasPg)('a required deployment end to end on PostgreSQL', () => {
  let site: Site;
  let dp: DpHandle;
  beforeAll(async () => {
    site = await startSite({ dialect: 'postgres', agents: 1 });
    dp = await startDp(site, 'branch-pg');
  });
  afterAll(async () => {
    await dp?.stop();
    await site?.stop();
  });

  it('runs a shell script from a DP process once and reports it', async () => {
    const work = join(site.dir, 'work');
    mkdirSync(work, { recursive: true });
    await happyPath(site, dp, work);
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
    site = await startSite({ dialect: 'sqlite', agents: 1 });
    dpA = await startDp(site, 'branch-a');
    work = join(site.dir, 'work');
    mkdirSync(work, { recursive: true });
    deviceId = agent().deviceId;
  });
  afterEach((ctx) => {
    // What the processes said, when a scenario fails (they log to their captured output).
    if (ctx.task.result?.state !== 'fail' && !process.env.E1_DEBUG) return;
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
    const sha = pkg.files[0]?.sha256 ?? '';
    const evil = shellScript(`echo BAD > ${marker}`);
    expect(evil.length).toBe(script.length);
    writeFileSync(dpA.storedPath(sha), evil);
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
    const { api } = site;
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
      const T0=Date.now(); const tl=(m: string)=>console.log(`T ${c.name} ${m} ${Date.now()-T0}`);
      const dep = await deployRequiredAsap(api, program.id);
      await waitForDeviceState(api, dep.id, deviceId, 'running');tl('running');
      const pid = Number(
        await waitFor(
          'pid file',
          () => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8'),
        ),
      );
      await agent().stop('SIGKILL');tl('killed');if (process.env.E1_DEBUG) console.log(agent().proc?.output());
      expect(processAlive(pid)).toBe(true);
      if (c.name === 'finishes-while-down') {
        writeFileSync(join(dir, 'go'), '');
        await waitFor('program finished', () => !processAlive(pid));
        agent().start();
      } else {
        // Let go only once the new agent process has re-attached it: its start message is
        // delivered after the runs a previous process left were recovered.
        const starts = await agentStarts(api, deviceId);
        agent().start();
        await waitFor('agent restarted', async () => (await agentStarts(api, deviceId)) > starts);
        expect(processAlive(pid)).toBe(true);
        writeFileSync(join(dir, 'go'), '');
      }
      tl('restarted');const row = await waitForDeviceState(api, dep.id, deviceId, (r) => r.state !== 'running');tl('done');
      expect(row).toMatchObject({ state: c.state, exitCode: c.exit, runCount: 1 });
      expect(readFileSync(join(dir, 'marker'), 'utf8')).toBe('done\n');
      expect(await messagesOnce(api, deviceId, dep.id, c.msg)).toHaveLength(1);
      expect(await deploymentMessages(api, deviceId, dep.id, 10005)).toHaveLength(1);
      expect(await deploymentMessages(api, deviceId, dep.id, 10006)).toHaveLength(0);
      await api.deleteDeployment(dep.id);
    }
  });
});
