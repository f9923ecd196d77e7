/**
 * The run records of boot-environment runs (issue 11, ADR 0103) on a real server, both
 * databases: the real `steward-agent boot-env` process of two bare-metal machines (unknown
 * computers, their identity from a sysfs tree of their own) runs a deployed sequence; while it
 * waits at a gate its run shows step 2 of 3 in the deployment's progress, named by its MAC or
 * SMBIOS UUID; one fails with its output tail, the other succeeds; a message for a run the site
 * never offered moves nothing; and when the installed system enrols (its inventory's SMBIOS
 * UUID), the run is tied to the new device and listed on it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type TaskSequenceRun } from '@steward/protocol';
import { postToAgent } from '../../../test-support/agent-http.js';
import { deployBootSequence } from '../../../test-support/boot-run.js';
import { runBootEnv, siteCaPem, type BootMachine } from '../../../test-support/boot-env-process.js';
import { enrolInventoryDevices } from '../../../test-support/inventory-devices.js';
import {
  createTestSite,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { sequenceStep as step } from '../../../test-support/task-sequence-steps.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

const FAILING: BootMachine = { smbiosUuid: null, macs: ['52:54:00:b0:07:01'] };
const INSTALLED: BootMachine = {
  smbiosUuid: '7e1c5a0e-4d7b-4c5e-9b1a-0000000b0702',
  macs: ['52:54:00:b0:07:02', '52:54:00:b0:07:12'],
};

describe.each(dialects)('boot-environment runs (%s)', (dialect) => {
  let site: Site;
  let dir = '';
  let bootKey = '';
  let caPem = '';
  const skip = dialect === 'postgres' && !hasPg;

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    dir = mkdtempSync(join(site.dir, 'boot-runs-'));
    execFileSync('mkfifo', [join(dir, 'gate')]);
    // Step 2 waits until the test opens the gate; step 3 fails while the fail flag exists.
    bootKey = await deployBootSequence(site, 'Bare metal', [
      step('prepare', 'run-command', { command: 'echo prepared' }),
      step('wait', 'run-command', { command: `cat ${join(dir, 'gate')} >/dev/null` }),
      step('finish', 'run-command', {
        command: `if [ -e ${join(dir, 'fail')} ]; then echo "disk on fire" >&2; exit 3; fi`,
      }),
    ]);
    caPem = await siteCaPem(site.api);
  });
  afterAll(async () => {
    await site?.stop();
  });

  async function deployment() {
    const list = await site.api.call(ops.taskSequenceDeployments.list, {});
    const d = list.items[0];
    if (!d) throw new Error('no deployment');
    return d;
  }

  /** The deployment's run of the computer named `name`, once `ready` says it is there. */
  async function runNamed(name: string, ready: (r: TaskSequenceRun) => boolean) {
    const d = await deployment();
    return waitFor(`the run of ${name}`, async () => {
      const runs = await site.api.call(ops.taskSequenceDeployments.runs, {
        params: { id: d.id },
      });
      const run = runs.runs.find((r) => r.deviceName === name);
      return run && ready(run) ? run : undefined;
    });
  }

  /** One machine's boot stage, held at the gate until its progress was seen. */
  async function bootOnce(machine: BootMachine, name: string) {
    let ended: { code: number | null; stdout: string; stderr: string } | undefined;
    const exited = runBootEnv({ siteUrl: site.agentUrl, caPem, bootKey, dir, machine }).then(
      (r) => (ended = r),
    );
    const d = await deployment();
    const waiting = await waitFor(
      `${name} at the gate`,
      async (): Promise<TaskSequenceRun | 'ended' | undefined> => {
        if (ended) return 'ended';
        const runs = await site.api.call(ops.taskSequenceDeployments.runs, {
          params: { id: d.id },
        });
        return runs.runs.find((r) => r.deviceName === name && r.currentStep === 'wait');
      },
    );
    if (waiting === 'ended')
      throw new Error(`boot-env ended early: ${ended?.stdout ?? ''}\n${ended?.stderr ?? ''}`);
    await writeFile(join(dir, 'gate'), 'go\n');
    const run: TaskSequenceRun = waiting;
    return { waiting: run, exited: await exited };
  }

  it.skipIf(skip)('keeps a failed run with its output tail, named by its MAC', async () => {
    await writeFile(join(dir, 'fail'), '');
    const { waiting, exited } = await bootOnce(FAILING, '52:54:00:b0:07:01');
    expect(exited.code, exited.stderr).toBe(1);
    // Live while it waited: step 2 of 3, the first step's record done.
    expect(waiting).toMatchObject({
      deviceId: null,
      state: 'running',
      stepNumber: 2,
      stepCount: 3,
      computer: { kind: 'unknown', smbiosUuid: null, macs: FAILING.macs },
    });
    expect(waiting.progress?.history.map((h) => [h.stepId, h.status])).toEqual([
      ['prepare', 'succeeded'],
      ['wait', 'running'],
    ]);
    const failed = await runNamed('52:54:00:b0:07:01', (r) => r.state === 'failed');
    expect(failed.currentStep).toBeNull();
    const last = failed.progress?.history.at(-1);
    expect(last).toMatchObject({ stepId: 'finish', status: 'failed', exitCode: 3 });
    expect(last?.outputTail).toContain('disk on fire');
    // One run by the computer's id: what the console and the CLI open.
    const d = await deployment();
    const one = await site.api.call(ops.taskSequenceDeployments.run, {
      params: { id: d.id, deviceId: failed.computer?.id ?? '' },
    });
    expect(one.progress?.history.map((h) => h.status)).toEqual([
      'succeeded',
      'succeeded',
      'failed',
    ]);
    expect((await deployment()).counts).toMatchObject({ failed: 1, running: 0, targeted: 0 });
  });

  it.skipIf(skip)('refuses to move a run the site never offered', async () => {
    const d = await deployment();
    const sent = await postToAgent(site.agentUrl, '/agent/v1/boot/status', {
      bootKey,
      computerId: 'never-offered',
      messageId: 40600,
      insertionStrings: ['Bare metal', '1', '3'],
      attributes: { taskSequenceDeployment: d.id, stepCount: '3', stepNumber: '1' },
    });
    expect(sent.status).toBe(204);
    const runs = await site.api.call(ops.taskSequenceDeployments.runs, { params: { id: d.id } });
    expect(runs.runs.map((r) => r.computer?.id)).not.toContain('never-offered');
    expect(runs.runs).toHaveLength(1);
  });

  it.skipIf(skip)('ties a succeeded run to the device its installed system enrols as', async () => {
    rmSync(join(dir, 'fail'));
    const { waiting, exited } = await bootOnce(INSTALLED, INSTALLED.smbiosUuid ?? '');
    expect(exited.code, exited.stderr).toBe(0);
    expect(waiting.stepNumber).toBe(2);
    const done = await runNamed(INSTALLED.smbiosUuid ?? '', (r) => r.state === 'succeeded');
    expect(done).toMatchObject({ stepNumber: 3, stepCount: 3, deviceId: null });

    // The installed system enrols: its inventory names the board's UUID (and another MAC).
    const [deviceId] = await enrolInventoryDevices(site.api, [
      {
        hostname: 'new-pc',
        classes: {
          systemIdentity: [{ uuid: INSTALLED.smbiosUuid?.toUpperCase() ?? '' }],
          networkAdapter: [{ name: 'eth0', mac: '52:54:00:b0:07:99' }],
        },
      },
    ]);
    const tied = await runNamed('new-pc', () => true);
    expect(tied).toMatchObject({ deviceId, state: 'succeeded', computer: { kind: 'unknown' } });
    const onDevice = await site.api.call(ops.taskSequenceDeployments.deviceRuns, {
      params: { id: deviceId ?? '' },
    });
    expect(onDevice).toHaveLength(1);
    expect(onDevice[0]?.progress?.history.map((h) => h.stepId)).toEqual([
      'prepare',
      'wait',
      'finish',
    ]);
    // The failed machine is another board: still named by its MAC, tied to nobody.
    const other = await runNamed('52:54:00:b0:07:01', () => true);
    expect(other.deviceId).toBeNull();
    expect((await deployment()).counts).toMatchObject({ failed: 1, succeeded: 1, targeted: 0 });
  });
});
