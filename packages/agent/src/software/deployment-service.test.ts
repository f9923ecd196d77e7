import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployment, program } from '../../test/software-fixtures.js';
import { harness } from '../../test/software-harness.js';
import { ContentUnavailableError } from './content/content-manager.js';

const NOW = '2026-06-10T09:00:00.000Z';

function saved(stateDir: string) {
  return JSON.parse(readFileSync(join(stateDir, 'deployments.json'), 'utf8')) as {
    deployments: Record<string, Record<string, unknown>>;
    runs: Record<string, unknown>;
    reportedRuns: string[];
  };
}

describe('a required deployment as soon as possible', () => {
  it('is received, runs once, and its outcome is in the outbox before the executor forgets it', async () => {
    const h = await harness({ deployments: [deployment()], programs: [program()] }, NOW, (s) => {
      s.executor.outcomes.set('prog-1', { result: 'succeeded', exitCode: 0 });
    });
    await h.service.tick();
    await h.service.idle();
    expect(h.sink.stateNames()).toEqual(['received', 'running', 'succeeded']);
    const [, running, done] = h.sink.states;
    expect(running?.runId).toBeDefined();
    expect(done).toMatchObject({
      deploymentId: 'dep-1',
      revision: 1,
      runId: running?.runId,
      exitCode: 0,
      outputTail: 'output\n',
    });
    expect(h.sink.ids()).toEqual([10002, 10005, 10008]);
    expect(h.sink.messages[2]).toMatchObject({
      insertionStrings: ['Tool', 'Install tool', 'Tool everywhere', '0'],
      attributes: { deploymentId: 'dep-1', packageId: 'pkg-1', programId: 'prog-1' },
    });
    const runId = running?.runId ?? '';
    // Acknowledged only after all five reports (received, 10002, running, 10005, succeeded, 10008).
    expect(h.executor.acknowledged.get(runId)).toBe(6);
    expect(h.executor.started[0]).toMatchObject({ packageDir: '/packages/pv-1', revision: 1 });
    expect(saved(h.stateDir)).toMatchObject({
      deployments: { 'dep-1': { lastRunRevision: 1, lastResult: 'succeeded' } },
      runs: {},
      reportedRuns: [runId],
    });
    // Later ticks, and an agent restart, run nothing more (rerun: never).
    h.clock.set('2026-06-11T09:00:00Z');
    await h.service.tick();
    await h.restart();
    await h.service.tick();
    await h.service.idle();
    expect(h.executor.started).toHaveLength(1);
    expect(h.sink.stateNames()).toHaveLength(3);
  });

  it('runs again once for a raised revision (rerun deployment)', async () => {
    const h = await harness({ deployments: [deployment()], programs: [program()] }, NOW, (s) => {
      s.executor.outcomes.set('prog-1', { result: 'failed', exitCode: 3 });
    });
    await h.service.tick();
    await h.service.idle();
    expect(h.sink.ids()).toEqual([10002, 10005, 10006]);
    expect(h.sink.messages[2]?.insertionStrings[3]).toBe('3');
    h.serve({ deployments: [deployment({ revision: 2 })] });
    await h.service.refreshAssignments();
    h.clock.set('2026-06-10T10:00:00Z');
    await h.service.tick();
    await h.service.idle();
    await h.service.tick();
    await h.service.idle();
    expect(h.executor.started.map((r) => r.revision)).toEqual([1, 2]);
    expect(h.sink.stateNames()).toEqual([
      'received',
      'running',
      'failed',
      'received',
      'running',
      'failed',
    ]);
  });
  it('keeps an outcome the outbox could not take and reports it at the next start', async () => {
    const h = await harness({ deployments: [deployment()], programs: [program()] }, NOW);
    await h.service.tick();
    await h.executor.whenStarted(1);
    const runId = h.executor.started[0]?.runId ?? '';
    const enqueue = h.sink.enqueueDeploymentState.bind(h.sink);
    h.sink.enqueueDeploymentState = async (body) => {
      if (body.state === 'succeeded') throw new Error('disk full');
      return enqueue(body);
    };
    h.executor.finish(runId, { result: 'succeeded', exitCode: 0 });
    await h.service.idle();
    // Not reported, so not forgotten: the run is still owed a report.
    expect(h.sink.stateNames()).toEqual(['received', 'running']);
    expect(h.executor.acknowledged.has(runId)).toBe(false);
    expect(saved(h.stateDir)).toMatchObject({ reportedRuns: [] });
    expect(saved(h.stateDir).runs[runId]).toBeDefined();
    h.sink.enqueueDeploymentState = enqueue;
    const outcome = await h.executor.wait(runId);
    h.executor.recovered.push({ runId, outcome });
    await h.restart();
    await h.service.start({ center: false });
    await h.service.idle();
    expect(h.sink.stateNames()).toEqual(['received', 'running', 'succeeded']);
    expect(h.sink.states[2]?.runId).toBe(runId);
    expect(h.executor.acknowledged.has(runId)).toBe(true);
    expect(saved(h.stateDir)).toMatchObject({ runs: {}, reportedRuns: [runId] });
  });
});

describe('what keeps a deployment from running', () => {
  it('waits for a maintenance window long enough, reporting it once', async () => {
    const window = {
      id: 'mw-1',
      name: 'night',
      start: '2026-01-01T22:00',
      durationMinutes: 60,
      recurrence: { kind: 'daily' as const, everyDays: 1 },
      timeBase: 'utc' as const,
      appliesTo: 'all' as const,
      enabled: true,
    };
    const h = await harness(
      { deployments: [deployment()], programs: [program()], maintenanceWindows: [window] },
      NOW,
      (s) => s.executor.outcomes.set('prog-1', { result: 'succeeded', exitCode: 0 }),
    );
    await h.service.tick();
    h.clock.set('2026-06-10T12:00:00Z');
    await h.service.tick();
    expect(h.sink.stateNames()).toEqual(['received', 'waiting-window']);
    expect(h.sink.states[1]?.nextRunAt).toBe('2026-06-10T22:00:00.000Z');
    expect(h.sink.messages.find((m) => m.messageId === 40110)?.insertionStrings).toEqual([
      'Tool everywhere',
      '30',
      '2026-06-10T22:00:00.000Z',
    ]);
    expect(h.sink.ids().filter((id) => id === 40110)).toHaveLength(1);
    h.clock.set('2026-06-10T22:00:00Z');
    await h.service.tick();
    await h.service.idle();
    expect(h.sink.stateNames().at(-1)).toBe('succeeded');
  });

  it('fails with REQUIREMENTS_NOT_MET without downloading anything', async () => {
    const h = await harness({ deployments: [deployment()], programs: [program()] }, NOW, (s) => {
      s.executor.requirements = { ok: false, reason: 'needs aarch64' };
    });
    await h.service.tick();
    await h.service.idle();
    expect(h.content.prepared).toEqual([]);
    expect(h.sink.states.at(-1)).toMatchObject({
      state: 'failed',
      reasonCode: 'REQUIREMENTS_NOT_MET',
      reason: 'needs aarch64',
    });
    expect(h.sink.messages.at(-1)).toMatchObject({
      messageId: 40111,
      insertionStrings: ['Tool everywhere', 'Install tool', 'needs aarch64'],
    });
  });

  it('waits for content and asks again after the delay the content manager gave', async () => {
    const h = await harness({ deployments: [deployment()], programs: [program()] }, NOW, (s) => {
      s.content.failWith = new ContentUnavailableError('NO_LOCATION', 'no DP has it', 120_000);
    });
    await h.service.tick();
    await h.service.idle();
    expect(h.sink.states.at(-1)).toMatchObject({
      state: 'waiting-content',
      reasonCode: 'NO_LOCATION',
      nextRunAt: '2026-06-10T09:02:00.000Z',
    });
    h.clock.set('2026-06-10T09:01:59Z');
    await h.service.tick();
    await h.service.idle();
    expect(h.content.prepared).toHaveLength(1);
    h.content.failWith = undefined;
    h.executor.outcomes.set('prog-1', { result: 'succeeded', exitCode: 0 });
    h.clock.set('2026-06-10T09:02:00Z');
    await h.service.tick();
    await h.service.idle();
    expect(h.content.prepared).toHaveLength(2);
    expect(h.sink.stateNames().at(-1)).toBe('succeeded');
  });

  it('reports download progress at most every 10 % while the clock stands still', async () => {
    const h = await harness({ deployments: [deployment()], programs: [program()] }, NOW, (s) => {
      s.content.progress = Array.from({ length: 100 }, (_, i) => ({
        bytesDone: (i + 1) * 1000,
        bytesTotal: 100_000,
      }));
      s.executor.outcomes.set('prog-1', { result: 'succeeded', exitCode: 0 });
    });
    await h.service.tick();
    await h.service.idle();
    const progress = h.sink.states.filter((s) => s.state === 'waiting-content');
    expect(progress.map((p) => p.bytesDone)).toEqual([
      1000, 11000, 21000, 31000, 41000, 51000, 61000, 71000, 81000, 91000, 100_000,
    ]);
  });
});

describe('dependencies', () => {
  const main = program({ dependsOnProgramId: 'prog-0' });
  const first = program({ id: 'prog-0', name: 'Runtime', packageVersionId: 'pv-0' });

  it('runs the dependency first in the same evaluation, then the program', async () => {
    const h = await harness({ deployments: [deployment()], programs: [first, main] }, NOW, (s) => {
      s.executor.outcomes.set('prog-0', { result: 'succeeded', exitCode: 0 });
      s.executor.outcomes.set('prog-1', { result: 'succeeded', exitCode: 0 });
    });
    await h.service.tick();
    await h.service.idle();
    expect(h.executor.started.map((r) => r.program.id)).toEqual(['prog-0', 'prog-1']);
    expect(h.sink.stateNames()).toEqual(['received', 'running', 'succeeded']);
  });

  it('a failed dependency fails the deployment and the program does not run', async () => {
    const h = await harness({ deployments: [deployment()], programs: [first, main] }, NOW, (s) => {
      s.executor.outcomes.set('prog-0', { result: 'failed', exitCode: 1 });
    });
    await h.service.tick();
    await h.service.idle();
    expect(h.executor.started.map((r) => r.program.id)).toEqual(['prog-0']);
    expect(h.sink.states.at(-1)).toMatchObject({
      state: 'failed',
      reasonCode: 'DEPENDENCY_FAILED',
      runId: h.executor.started[0]?.runId,
    });
    expect(saved(h.stateDir).deployments['dep-1']).toMatchObject({ lastResult: 'failed' });
  });
});

describe('disable program', () => {
  it('stops a running program at once and reports it failed PROGRAM_DISABLED', async () => {
    const h = await harness({ deployments: [deployment()], programs: [program()] }, NOW);
    await h.service.tick();
    await h.executor.whenStarted(1);
    expect(h.executor.running()).toHaveLength(1);
    h.serve({ programs: [program({ disabled: true })] });
    await h.service.refreshAssignments();
    await h.service.tick();
    await h.service.idle();
    expect(h.executor.stopped).toEqual([
      { runId: h.executor.started[0]?.runId, reason: 'PROGRAM_DISABLED' },
    ]);
    expect(h.sink.states.at(-1)).toMatchObject({ state: 'failed', reasonCode: 'PROGRAM_DISABLED' });
    expect(h.sink.ids().slice(-2)).toEqual([10006, 40112]);
    // Never started again while disabled, even when asked.
    h.clock.set('2026-06-12T00:00:00Z');
    await h.service.tick();
    expect(h.executor.started).toHaveLength(1);
  });
});

describe('recovery after an agent restart', () => {
  it('reports a finished run once, an already reported one not again, a never started one as INTERRUPTED', async () => {
    const outcome = (runId: string) => ({
      runId,
      deploymentId: 'dep-1',
      revision: 1,
      exitCode: 0,
      result: 'succeeded' as const,
      outputTail: '',
      startedAt: NOW,
      finishedAt: NOW,
    });
    const h = await harness({ deployments: [deployment()], programs: [program()] }, NOW, (s) => {
      s.executor.recovered = [
        { runId: 'run-a', outcome: outcome('run-a') },
        { runId: 'run-b', outcome: outcome('run-b') },
      ];
      const run = (runId: string) => ({
        runId,
        deploymentId: 'dep-1',
        revision: 1,
        programId: 'prog-1',
        role: 'main',
      });
      writeFileSync(
        join(s.stateDir, 'deployments.json'),
        JSON.stringify({
          deployments: { 'dep-1': { revisionSeen: 1, lastRunRevision: 1, consumedMs: 1 } },
          programs: {},
          runs: { 'run-a': run('run-a'), 'run-c': run('run-c') },
          reportedRuns: ['run-b'],
        }),
      );
    });
    await h.service.start({ center: false });
    await h.service.idle();
    const byRun = h.sink.states.map((s) => `${s.runId ?? ''}:${s.state}:${s.reasonCode ?? ''}`);
    expect(byRun.sort()).toEqual(['run-a:succeeded:', 'run-c:failed:INTERRUPTED']);
    expect([...h.executor.acknowledged.keys()].sort()).toEqual(['run-a', 'run-b', 'run-c']);
    expect(saved(h.stateDir).runs).toEqual({});
  });
});

describe('notifications', () => {
  it('announces new available software once per revision', async () => {
    const h = await harness(
      {
        deployments: [deployment({ purpose: 'available', triggers: [] })],
        programs: [program()],
      },
      NOW,
    );
    await h.service.tick();
    await h.service.tick();
    expect(h.notifier.shown).toEqual([
      {
        title: 'New software available',
        body: '"Tool everywhere" can be installed from the Software Center: steward-agent center install dep-1',
      },
    ]);
    expect(h.executor.started).toEqual([]);
  });

  it('announces a required deadline within 24 hours, not one further away', async () => {
    const at = (start: string) => deployment({ triggers: [{ type: 'at', start }] });
    const h = await harness({ deployments: [at('2026-06-12T09:00')], programs: [program()] }, NOW);
    await h.service.tick();
    expect(h.notifier.shown).toEqual([]);
    h.clock.set('2026-06-11T10:00:00Z');
    await h.service.tick();
    await h.service.tick();
    expect(h.notifier.shown.map((n) => n.title)).toEqual(['Software will be installed']);
  });
});
