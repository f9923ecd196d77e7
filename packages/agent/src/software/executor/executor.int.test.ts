/**
 * The executor with real shell scripts in real detached process groups: exit codes, time-outs,
 * stop, and an agent "restart" (a second Executor on the same state directory) while a script
 * runs. Scripts block on a file the test creates, so nothing depends on timing.
 */
import {
  chmodSync,
  readdirSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentProgram } from '@steward/protocol';
import { systemClock } from '../../clock.js';
import { silentLogger } from '../../logger.js';
import { Executor, type ExecutorOptions } from './executor.js';
import { groupAlive, parseProcStat } from './process-group.js';
import { runPaths } from './run-record.js';

const stateDirs: string[] = [];

// A failing test must not leave its scripts waiting forever: kill every group a test started.
afterEach(() => {
  for (const stateDir of stateDirs.splice(0)) {
    const runs = join(stateDir, 'runs');
    for (const runId of existsSync(runs) ? readdirSync(runs) : []) {
      const pidFile = join(runs, runId, 'pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
      if (Number.isInteger(pid) && pid > 1) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
});

function setup() {
  const stateDir = mkdtempSync(join(tmpdir(), 'steward-exec-'));
  stateDirs.push(stateDir);
  const packageDir = join(stateDir, 'packages', 'pv-1');
  mkdirSync(join(packageDir, 'bin'), { recursive: true });
  return { stateDir, packageDir };
}

function script(packageDir: string, name: string, body: string): void {
  const path = join(packageDir, 'bin', name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

function program(changes: Partial<AgentProgram> = {}): AgentProgram {
  return {
    id: 'prog-1',
    name: 'Install',
    packageId: 'pkg-1',
    packageName: 'Tools',
    packageVersionId: 'pv-1',
    files: [],
    commandLine: './run.sh',
    workingDirectory: 'bin',
    runAs: 'root',
    maxRunMinutes: 60,
    successExitCodes: [0],
    rebootExitCodes: [194],
    requirements: {},
    dependsOnProgramId: null,
    disabled: false,
    ...changes,
  };
}

function executor(stateDir: string, more: Partial<ExecutorOptions> = {}): Executor {
  return new Executor({ stateDir, clock: systemClock, log: silentLogger, pollMs: 50, ...more });
}

/** Starts `runId` of `program(changes)`; deployment 'd' revision 1 unless `run` says otherwise. */
function startRun(
  ex: Executor,
  packageDir: string,
  runId: string,
  changes: Partial<AgentProgram> = {},
  run: { deploymentId?: string; revision?: number } = {},
): Promise<void> {
  const { deploymentId = 'd', revision = 1 } = run;
  return ex.start({ runId, deploymentId, revision, program: program(changes), packageDir });
}

/** Resolves once `check` holds (the scripts write marker files); polls, up to 40 s. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
  if (!(await check())) throw new Error('condition not reached');
}

function isGone(pid: number): boolean {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state === 'Z';
  } catch {
    return true;
  }
}

describe('executor (real processes)', () => {
  it('runs the command line in the working directory with a clean environment', async () => {
    const { stateDir, packageDir } = setup();
    script(
      packageDir,
      'run.sh',
      'pwd; echo "dep=$STEWARD_DEPLOYMENT_ID pkg=$STEWARD_PACKAGE_DIR"; env | sort; exit 0',
    );
    const ex = executor(stateDir);
    await startRun(ex, packageDir, 'r1', {}, { deploymentId: 'dep-1', revision: 2 });
    expect(existsSync(runPaths(stateDir, 'r1').record)).toBe(true);
    const out = await ex.wait('r1');
    expect(out).toMatchObject({
      runId: 'r1',
      deploymentId: 'dep-1',
      revision: 2,
      exitCode: 0,
      result: 'succeeded',
    });
    expect(out.reasonCode).toBeUndefined();
    expect(out.outputTail).toContain(join(packageDir, 'bin'));
    expect(out.outputTail).toContain(`dep=dep-1 pkg=${packageDir}`);
    expect(out.outputTail).not.toMatch(/VITEST/); // nothing of the agent's environment leaks
    expect(Date.parse(out.finishedAt)).toBeGreaterThanOrEqual(Date.parse(out.startedAt));
    expect(ex.running()).toEqual([]);
    await ex.acknowledge('r1');
    expect(existsSync(runPaths(stateDir, 'r1').dir)).toBe(false);
    await expect(ex.wait('r1')).rejects.toMatchObject({ code: 'RUN_UNKNOWN' });
  });

  it('maps exit codes: failure, reboot pending; keeps the last 4 KiB of output', async () => {
    const { stateDir, packageDir } = setup();
    script(
      packageDir,
      'fail.sh',
      'i=0; while [ $i -lt 500 ]; do echo "line $i ééé"; i=$((i+1)); done; echo LAST >&2; exit 3',
    );
    script(packageDir, 'reboot.sh', 'exit 194');
    const ex = executor(stateDir);
    await startRun(ex, packageDir, 'f', { commandLine: './fail.sh' });
    await startRun(ex, packageDir, 'b', { commandLine: 'sh reboot.sh' });
    const failed = await ex.wait('f');
    expect(failed).toMatchObject({
      result: 'failed',
      exitCode: 3,
      reasonCode: 'EXIT_CODE',
      reason: 'exit code 3',
    });
    expect(Buffer.byteLength(failed.outputTail)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(failed.outputTail)).toBeGreaterThan(4000);
    expect(failed.outputTail).not.toContain('\uFFFD');
    expect(failed.outputTail.trimEnd().endsWith('LAST')).toBe(true);
    expect(await ex.wait('b')).toMatchObject({ result: 'reboot-pending', exitCode: 194 });
  });

  it('kills the whole process group after the maximum run time (SIGKILL if TERM is ignored)', async () => {
    const { stateDir, packageDir } = setup();
    script(packageDir, 'run.sh', 'trap "" TERM; sleep 300 & echo $! > child.pid; wait; wait');
    const ex = executor(stateDir, { env: { STEWARD_AGENT_MINUTE_MS: '400' }, killGraceMs: 300 });
    await startRun(ex, packageDir, 't', { maxRunMinutes: 1 });
    const out = await ex.wait('t');
    expect(out).toMatchObject({ result: 'failed', reasonCode: 'TIMED_OUT', exitCode: null });
    const child = Number(readFileSync(join(packageDir, 'bin', 'child.pid'), 'utf8'));
    expect(isGone(child)).toBe(true);
  });

  it('stop() ends a run: PROGRAM_DISABLED or STOPPED with the reason', async () => {
    const { stateDir, packageDir } = setup();
    script(packageDir, 'run.sh', 'echo started > started; exec sleep 300');
    const ex = executor(stateDir);
    await startRun(ex, packageDir, 's1');
    await startRun(ex, packageDir, 's2');
    expect(
      ex
        .running()
        .map((r) => r.runId)
        .sort(),
    ).toEqual(['s1', 's2']);
    await ex.stop('s1', 'PROGRAM_DISABLED');
    expect(await ex.wait('s1')).toMatchObject({ result: 'failed', reasonCode: 'PROGRAM_DISABLED' });
    await ex.stop('s2', 'the administrator cancelled it');
    expect(await ex.wait('s2')).toMatchObject({
      result: 'failed',
      reasonCode: 'STOPPED',
      reason: 'the administrator cancelled it',
    });
    expect(ex.running()).toEqual([]);
  });

  it('a new Executor re-attaches to a run that outlived the old one and gets its outcome', async () => {
    const { stateDir, packageDir } = setup();
    script(
      packageDir,
      'run.sh',
      'echo waiting; while [ ! -f go ]; do sleep 0.05; done; echo done; exit 194',
    );
    script(packageDir, 'quick.sh', 'while [ ! -f go2 ]; do sleep 0.05; done; exit 0');
    const before = executor(stateDir);
    await startRun(before, packageDir, 'live', {}, { revision: 4 });
    await startRun(before, packageDir, 'ended', { commandLine: './quick.sh' });
    const pending = before.wait('live');
    before.close(); // the agent goes away; the programs do not
    await expect(pending).rejects.toMatchObject({ code: 'EXECUTOR_CLOSED' });
    // 'ended' finishes while no agent watches: only its exit file records it.
    writeFileSync(join(packageDir, 'bin', 'go2'), '');
    await until(() => existsSync(runPaths(stateDir, 'ended').exit));

    const after = executor(stateDir);
    expect((await after.recover()).sort()).toEqual(['ended', 'live']);
    expect(after.running().map((r) => r.runId)).toEqual(['live']);
    expect(await after.wait('ended')).toMatchObject({ result: 'succeeded', exitCode: 0 });
    writeFileSync(join(packageDir, 'bin', 'go'), '');
    const out = await after.wait('live');
    expect(out).toMatchObject({ result: 'reboot-pending', exitCode: 194, revision: 4 });
    expect(out.outputTail).toBe('waiting\ndone\n');

    // Until acknowledged, a third agent process would find the same outcome again.
    const third = executor(stateDir);
    expect((await third.recover()).sort()).toEqual(['ended', 'live']);
    expect(await third.wait('live')).toEqual(out);
    await third.acknowledge('live');
    expect(await executor(stateDir).recover()).toEqual(['ended']);
  });

  it('enforces the maximum run time after a restart, from the recorded start', async () => {
    const { stateDir, packageDir } = setup();
    script(packageDir, 'run.sh', 'exec sleep 300');
    const env = { STEWARD_AGENT_MINUTE_MS: '600' };
    const before = executor(stateDir, { env });
    await startRun(before, packageDir, 'slow', { maxRunMinutes: 1 });
    before.close();
    const after = executor(stateDir, { env });
    await after.recover();
    expect(await after.wait('slow')).toMatchObject({ result: 'failed', reasonCode: 'TIMED_OUT' });
  });

  it('fails a run INTERRUPTED when its process vanished without an exit file', async () => {
    const { stateDir, packageDir } = setup();
    script(packageDir, 'run.sh', 'exec sleep 300');
    const before = executor(stateDir);
    await startRun(before, packageDir, 'gone');
    before.close();
    const record: unknown = JSON.parse(readFileSync(runPaths(stateDir, 'gone').record, 'utf8'));
    const pgid =
      typeof record === 'object' && record !== null && 'pgid' in record ? Number(record.pgid) : NaN;
    expect(Number.isInteger(pgid)).toBe(true);
    process.kill(-pgid, 'SIGKILL'); // as a reboot or an OOM kill would
    await until(() => !existsSync(`/proc/${pgid}`) || isGone(pgid));
    // The leader goes first; the rest of the group (the wrapper's children) a moment later.
    await until(async () => !(await groupAlive(pgid)));
    expect(await groupAlive(pgid)).toBe(false);
    const after = executor(stateDir);
    expect(await after.recover()).toEqual(['gone']);
    expect(await after.wait('gone')).toMatchObject({
      result: 'failed',
      reasonCode: 'INTERRUPTED',
      exitCode: null,
    });
  });

  it('fails before running when nobody is logged on or the working directory is missing', async () => {
    const { stateDir, packageDir } = setup();
    const ex = executor(stateDir, { findUser: async () => undefined });
    await startRun(ex, packageDir, 'u', { runAs: 'user' });
    expect(await ex.wait('u')).toMatchObject({
      result: 'failed',
      reasonCode: 'NO_LOGGED_ON_USER',
      exitCode: null,
    });
    await startRun(ex, packageDir, 'w', { workingDirectory: 'nope' });
    expect(await ex.wait('w')).toMatchObject({
      result: 'failed',
      reasonCode: 'BAD_WORKING_DIRECTORY',
    });
    await expect(startRun(ex, packageDir, 'w')).rejects.toMatchObject({ code: 'RUN_EXISTS' });
  });

  it.runIf(process.getuid?.() === 0)('runs as the logged-on user through runuser', async () => {
    const { stateDir, packageDir } = setup();
    const ex = executor(stateDir, {
      findUser: async () => ({ name: 'nobody', home: '/nonexistent' }),
    });
    await startRun(ex, packageDir, 'as-user', {
      runAs: 'user',
      commandLine: 'id -un; echo "home=$HOME"',
    });
    const out = await ex.wait('as-user');
    expect(out.result).toBe('succeeded');
    expect(out.outputTail).toContain('nobody\n');
  });
});
