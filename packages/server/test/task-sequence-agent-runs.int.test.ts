/**
 * Deployed task sequences run by real agents (issue 11, ADR 0084), both databases: the agent's
 * assignments carry the sequence with its variables layered on the site (sequence < collection <
 * device); a required non-OS sequence waits for its deadline, then runs (run-command steps
 * writing files under the test's folder, a set-variable, a group with a false condition skipped,
 * a failure continued and a later one that ends it); the runs API and the per-run step log show
 * each step and the final failure; after the fix a new deadline reruns it (rerun if-failed); an
 * available one is started from the real `steward-agent center`; a restart-computer step runs the
 * client setting's restart command (a harmless script) and the sequence resumes when the test
 * restarts the agent process. One clock, moved by the test, for the server and the agent.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type TaskSequenceBody,
  type TaskSequenceDeployment,
  type TaskSequenceDeploymentBody,
  type TaskSequenceRun,
} from '@steward/protocol';
import {
  directCollection,
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  waitFor,
  agentCenter,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { observeRestarts, waitForRun } from './support/task-sequence-runs.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
if (!hasPg)
  console.warn('PostgreSQL unreachable: the postgres case of agent task-sequence runs is SKIPPED');

const MINUTE = 60_000;
const START = Date.parse('2031-03-03T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const center = agentCenter;

function step(
  id: string,
  name: string,
  command: string,
  extra: { parentId?: string; continueOnError?: boolean } = {},
): TaskSequenceBody['steps'][number] {
  return {
    type: 'step',
    kind: 'run-command',
    id,
    name,
    enabled: true,
    continueOnError: extra.continueOnError ?? false,
    timeoutSeconds: 60,
    ...(extra.parentId ? { parentId: extra.parentId } : {}),
    settings: { command },
  };
}

describe.each(dialects)('task sequences run by agents (%s)', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  let work: string;
  let clockFile: string;
  let marker: string;
  let collectionId: string;
  let deviceId: string;

  const setClock = (ms: number) => writeFileSync(clockFile, iso(ms));
  const nudge = () => site.api.requestDeviceAction(deviceId, 'deployments:evaluate');
  const stateDir = () => site.agents[0]?.stateDir ?? '';

  async function deploy(
    body: TaskSequenceBody,
    settings: Partial<TaskSequenceDeploymentBody>,
  ): Promise<TaskSequenceDeployment> {
    const seq = await site.api.call(ops.taskSequences.create, { body });
    return site.api.call(ops.taskSequenceDeployments.create, {
      body: { purpose: 'required', ...settings, sequenceId: seq.id, collectionId },
    });
  }

  async function run(d: TaskSequenceDeployment): Promise<TaskSequenceRun> {
    return site.api.call(ops.taskSequenceDeployments.run, {
      params: { id: d.id, deviceId },
    });
  }

  const ended = (d: TaskSequenceDeployment, state: string, after?: string) =>
    waitForRun(site, { deploymentId: d.id, deviceId, state, ...(after ? { after } : {}) });

  beforeAll(async () => {
    if (skip) return;
    work = mkdtempSync(join(tmpdir(), 'steward-ts-agent-'));
    mkdirSync(join(work, 'out'));
    clockFile = join(work, 'clock');
    setClock(START);
    site = await createTestSite({
      dialect,
      env: { STEWARD_TEST_CLOCK_FILE: clockFile },
    });
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    deviceId = device.id;
    marker = await observeRestarts(site, deviceId, work);
    collectionId = await directCollection(site, 'Sequenced', deviceId);
    // Variables: the sequence's defaults, the collection's over them, the device's over both.
    await site.api.call(ops.taskSequences.setCollectionVariables, {
      params: { id: collectionId },
      body: {
        variables: [
          { name: 'Role', value: 'db' },
          { name: 'Tier', value: '2' },
        ],
      },
    });
    await site.api.call(ops.taskSequences.setDeviceVariables, {
      params: { id: deviceId },
      body: { variables: [{ name: 'Tier', value: '3' }] },
    });
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    'runs a required sequence at its deadline, shows every step, and reruns it if it failed',
    async () => {
      const out = join(work, 'out');
      const d = await deploy(
        {
          name: 'Web build',
          kind: 'non-os',
          variables: { Role: 'web', Tier: '1', Colour: 'none' },
          steps: [
            step('write', 'Write role', `echo %Role%-%Tier% > ${out}/role`),
            {
              type: 'step',
              kind: 'set-variable',
              id: 'setv',
              name: 'Pick colour',
              enabled: true,
              continueOnError: false,
              settings: { name: 'Colour', value: 'blue' },
            },
            {
              type: 'group',
              id: 'web-only',
              name: 'Web only',
              enabled: true,
              continueOnError: false,
              condition: {
                type: 'block',
                match: 'all',
                tests: [{ type: 'variable', name: 'Role', op: 'equals', value: 'web' }],
              },
            },
            step('never', 'Web step', `touch ${out}/never`, { parentId: 'web-only' }),
            step('soft', 'Soft failure', 'echo soft trouble; exit 3', { continueOnError: true }),
            step('colour', 'Write colour', `echo %Colour% > ${out}/colour`),
            step(
              'hard',
              'Needs the fix',
              `test -f ${out}/fixed || { echo the fix is missing; exit 4; }`,
            ),
            step('after', 'After', `touch ${out}/after`),
          ],
        },
        { deadline: iso(START + 10 * MINUTE), rerun: 'if-failed' },
      );
      // Before the deadline the Software Center shows it scheduled for the deadline.
      await nudge();
      const scheduled = await waitFor('the deployment in the Software Center', async () => {
        const list = await center(stateDir(), ['list']);
        const entries = Array.isArray(list['deployments']) ? list['deployments'] : [];
        return entries.find(
          (e: unknown) =>
            typeof e === 'object' && e !== null && 'deploymentId' in e && e.deploymentId === d.id,
        ) as Record<string, unknown> | undefined;
      });
      expect(scheduled).toMatchObject({
        kind: 'task-sequence',
        state: 'scheduled',
        programName: 'Web build',
        nextRunAt: iso(START + 10 * MINUTE),
      });
      expect((await run(d)).state).toBe('targeted');

      setClock(START + 10 * MINUTE);
      await nudge();
      const failed = await ended(d, 'failed');
      expect(readFileSync(join(out, 'role'), 'utf8')).toBe('db-3\n');
      expect(readFileSync(join(out, 'colour'), 'utf8')).toBe('blue\n');
      expect(existsSync(join(out, 'never'))).toBe(false);
      expect(existsSync(join(out, 'after'))).toBe(false);
      expect(failed).toMatchObject({ stepNumber: 6, stepCount: 7, currentStep: null });
      const steps = (failed.progress?.history ?? []).map((h) => ({
        id: h.stepId,
        status: h.status,
        exitCode: h.exitCode,
        continued: h.continued,
      }));
      expect(steps).toEqual([
        { id: 'write', status: 'succeeded', exitCode: 0, continued: false },
        { id: 'setv', status: 'succeeded', exitCode: 0, continued: false },
        { id: 'never', status: 'skipped', exitCode: null, continued: false },
        { id: 'soft', status: 'failed', exitCode: 3, continued: true },
        { id: 'colour', status: 'succeeded', exitCode: 0, continued: false },
        { id: 'hard', status: 'failed', exitCode: 4, continued: false },
      ]);
      const history = failed.progress?.history ?? [];
      expect(history[2]?.reason).toContain('condition of group "Web only" is false');
      expect(history[3]?.outputTail).toContain('soft trouble');
      expect(history[5]?.outputTail).toContain('the fix is missing');
      expect(history[5]?.finishedAt).not.toBeNull();
      // The deployment's runs and the device's runs show the same.
      const runs = await site.api.call(ops.taskSequenceDeployments.runs, { params: { id: d.id } });
      expect(runs.counts).toMatchObject({ failed: 1, targeted: 0 });
      const deviceRuns = await site.api.call(ops.taskSequenceDeployments.deviceRuns, {
        params: { id: deviceId },
      });
      expect(deviceRuns.find((r) => r.deploymentId === d.id)?.state).toBe('failed');
      // The CLI's step log.
      const cli = await exec(STEWARD, ['task-sequence', 'deployment', 'run', d.id, deviceId], {
        env: {
          STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
          STEWARD_SERVER: site.adminUrl,
          STEWARD_TOKEN: site.api.token ?? '',
        },
      });
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toContain('Needs the fix');
      expect(cli.stdout).toContain('failed (continued)');
      // The messages are filed like any other: a failed step's output tail is in its message.
      const messages = await site.api.listStatusMessages({ deviceId, messageId: 40603 });
      expect(
        messages.items.some((m) => m.insertionStrings.join(' ').includes('the fix is missing')),
      ).toBe(true);

      // Fixed; a new deadline offers it again and the rerun behaviour (if failed) lets it run.
      writeFileSync(join(out, 'fixed'), '');
      const before = failed.updatedAt ?? '';
      await site.api.call(ops.taskSequenceDeployments.update, {
        params: { id: d.id },
        body: { deadline: iso(START + 20 * MINUTE) },
      });
      setClock(START + 20 * MINUTE);
      await nudge();
      const succeeded = await ended(d, 'succeeded', before);
      expect(existsSync(join(out, 'after'))).toBe(true);
      expect(succeeded.progress?.history.map((h) => h.status)).toEqual([
        'succeeded',
        'succeeded',
        'skipped',
        'failed',
        'succeeded',
        'succeeded',
        'succeeded',
      ]);
      expect(succeeded).toMatchObject({ stepNumber: 7, stepCount: 7, currentStep: null });
      await site.api.call(ops.taskSequenceDeployments.delete, { params: { id: d.id } });
    },
    300_000,
  );

  it.skipIf(skip)(
    'runs an available sequence started from the Software Center',
    async () => {
      const out = join(work, 'out');
      const d = await deploy(
        {
          name: 'Offered',
          kind: 'custom',
          steps: [step('touch', 'Touch', `echo %Tier% > ${out}/offered`)],
        },
        { purpose: 'available' },
      );
      await nudge();
      await waitFor('the offer in the Software Center', async () => {
        const list = await center(stateDir(), ['list']);
        const entries = Array.isArray(list['deployments']) ? list['deployments'] : [];
        return entries.some(
          (e: unknown) =>
            typeof e === 'object' &&
            e !== null &&
            'deploymentId' in e &&
            e.deploymentId === d.id &&
            'state' in e &&
            e.state === 'available',
        )
          ? true
          : undefined;
      });
      expect(await center(stateDir(), ['run', d.id])).toMatchObject({
        ok: true,
        deploymentId: d.id,
      });
      await ended(d, 'succeeded');
      expect(readFileSync(join(out, 'offered'), 'utf8')).toBe('3\n');
      const messages = await site.api.listStatusMessages({ deviceId, messageId: 40611 });
      expect(messages.items.some((m) => m.insertionStrings.includes('alice'))).toBe(true);
      await site.api.call(ops.taskSequenceDeployments.delete, { params: { id: d.id } });
    },
    180_000,
  );

  it.skipIf(skip)(
    'resumes after the restart a restart-computer step asked for',
    async () => {
      const out = join(work, 'out');
      const d = await deploy(
        {
          name: 'With a restart',
          kind: 'non-os',
          steps: [
            step('before', 'Before', `touch ${out}/before-restart`),
            {
              type: 'step',
              kind: 'restart-computer',
              id: 'restart',
              name: 'Restart',
              enabled: true,
              continueOnError: false,
              settings: { into: 'full-os' },
            },
            step('resumed', 'After the restart', `touch ${out}/after-restart`),
          ],
        },
        { deadline: iso(START + 30 * MINUTE) },
      );
      setClock(START + 30 * MINUTE);
      await nudge();
      const restarting = await ended(d, 'restarting');
      expect(restarting.progress?.history.map((h) => [h.stepId, h.status])).toEqual([
        ['before', 'succeeded'],
        ['restart', 'succeeded'],
      ]);
      await waitFor('the restart command', async () => existsSync(marker) || undefined);
      expect(readFileSync(marker, 'utf8')).toBe('restarted\n');
      // The "machine" restarted: the agent process stops and starts again, and resumes.
      const agent = site.agents[0];
      if (!agent) throw new Error('no agent');
      await agent.stop();
      expect(existsSync(join(out, 'after-restart'))).toBe(false);
      agent.start();
      const done = await ended(d, 'succeeded');
      expect(existsSync(join(out, 'after-restart'))).toBe(true);
      expect(done.progress?.history.map((h) => [h.stepId, h.status])).toEqual([
        ['before', 'succeeded'],
        ['restart', 'succeeded'],
        ['resumed', 'succeeded'],
      ]);
      expect(readFileSync(marker, 'utf8')).toBe('restarted\n');
      const resumed = await site.api.listStatusMessages({ deviceId, messageId: 40606 });
      expect(resumed.items.length).toBeGreaterThan(0);
    },
    180_000,
  );
});
