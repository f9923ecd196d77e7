import { describe, expect, it } from 'vitest';
import type { AgentDeployment, AgentProgram, MaintenanceWindowBody } from '@steward/protocol';
import { deployment, program } from '../../test/software-fixtures.js';
import {
  decide,
  dependencyChain,
  pendingTrigger,
  rerunAllowed,
  wantsPreDownload,
  type EvalContext,
} from './deployment-evaluator.js';
import type { DeploymentRecord, ProgramRecord } from './deployment-state.js';

const Z = (iso: string) => Date.parse(iso);
const MIN = 60_000;

function window(
  w: Partial<MaintenanceWindowBody> & { id?: string } = {},
): MaintenanceWindowBody & { id: string } {
  return {
    id: 'mw-1',
    name: 'nightly',
    start: '2026-01-01T22:00',
    durationMinutes: 120,
    recurrence: { kind: 'daily', everyDays: 1 },
    timeBase: 'utc',
    appliesTo: 'all',
    enabled: true,
    ...w,
  };
}

function ctx(
  nowIso: string,
  more: {
    programs?: AgentProgram[];
    windows?: MaintenanceWindowBody[];
    results?: Record<string, ProgramRecord>;
  } = {},
): EvalContext {
  const programs = more.programs ?? [program()];
  return {
    nowMs: Z(nowIso),
    programs: new Map(programs.map((p) => [p.id, p])),
    windows: more.windows ?? [],
    programResults: more.results ?? {},
  };
}

const seen = (iso: string, rec: DeploymentRecord = {}): DeploymentRecord => ({
  revisionSeen: 1,
  revisionSeenAtMs: Z(iso),
  ...rec,
});
const ran = (iso: string, result: 'succeeded' | 'failed', revision = 1): DeploymentRecord => ({
  ...seen('2026-06-10T09:00:00Z'),
  lastRunRevision: revision,
  lastResult: result,
  lastRunAt: iso,
  consumedMs: Z(iso),
});

describe('required deployments', () => {
  it('asap runs when received, then never again at the same revision (rerun: never)', () => {
    const d = decide(deployment(), seen('2026-06-10T09:00:00Z'), ctx('2026-06-10T09:00:00Z'));
    expect(d).toMatchObject({ kind: 'run', triggerMs: Z('2026-06-10T09:00:00Z') });
    expect(
      decide(deployment(), ran('2026-06-10T09:00:01Z', 'failed'), ctx('2026-06-11T00:00:00Z')),
    ).toEqual({ kind: 'idle' });
  });

  it('a raised revision forces one run, subject to the rerun behaviour', () => {
    const after = { ...ran('2026-06-10T09:00:01Z', 'succeeded'), revisionSeen: 2 };
    const rerunSeen = { ...after, revisionSeenAtMs: Z('2026-06-12T10:00:00Z') };
    const now = ctx('2026-06-12T10:00:00Z');
    expect(decide(deployment({ revision: 2 }), rerunSeen, now).kind).toBe('run');
    // if-failed: the last run succeeded, so the rerun is consumed without running.
    expect(decide(deployment({ revision: 2, rerun: 'if-failed' }), rerunSeen, now)).toEqual({
      kind: 'skip',
      triggerMs: Z('2026-06-12T10:00:00Z'),
    });
    expect(decide(deployment({ revision: 2, rerun: 'if-succeeded' }), rerunSeen, now).kind).toBe(
      'run',
    );
  });

  it('rerun behaviours against the last result', () => {
    const dep = (rerun: AgentDeployment['rerun']) => deployment({ rerun });
    const failed = ran('2026-06-10T09:00:00Z', 'failed');
    const succeeded = ran('2026-06-10T09:00:00Z', 'succeeded');
    expect(rerunAllowed(dep('never'), {})).toBe(true);
    expect(rerunAllowed(dep('never'), failed)).toBe(false);
    expect(rerunAllowed(dep('always'), succeeded)).toBe(true);
    expect(rerunAllowed(dep('if-failed'), failed)).toBe(true);
    expect(rerunAllowed(dep('if-failed'), succeeded)).toBe(false);
    expect(rerunAllowed(dep('if-succeeded'), succeeded)).toBe(true);
    expect(rerunAllowed(dep('if-succeeded'), { ...failed, lastResult: 'reboot-pending' })).toBe(
      true,
    );
  });

  it('a daily schedule runs at every occurrence with rerun always, and missed ones run once', () => {
    const dep = deployment({
      triggers: [
        { type: 'at', start: '2026-06-01T02:00', recurrence: { kind: 'daily', everyDays: 1 } },
      ],
      rerun: 'always',
    });
    const rec = ran('2026-06-10T02:00:05Z', 'succeeded');
    expect(decide(dep, rec, ctx('2026-06-11T01:59:00Z'))).toEqual({
      kind: 'idle',
      nextRunAtMs: Z('2026-06-11T02:00:00Z'),
    });
    expect(decide(dep, rec, ctx('2026-06-11T02:00:00Z'))).toMatchObject({
      kind: 'run',
      triggerMs: Z('2026-06-11T02:00:00Z'),
    });
    // Offline for three days: one run for the latest occurrence.
    expect(decide(dep, rec, ctx('2026-06-14T09:00:00Z'))).toMatchObject({
      kind: 'run',
      triggerMs: Z('2026-06-14T02:00:00Z'),
    });
    // rerun if-failed after a success: the occurrence is consumed, no next run announced.
    const ifFailed = { ...dep, rerun: 'if-failed' as const };
    expect(decide(ifFailed, rec, ctx('2026-06-11T02:00:00Z')).kind).toBe('skip');
    expect(decide(ifFailed, rec, ctx('2026-06-11T01:00:00Z'))).toEqual({ kind: 'idle' });
  });

  it('extra assignments and on-enrolment are triggers too', () => {
    const extra = deployment({ triggers: [], extraAssignments: ['2026-06-12T08:00'] });
    const rec = ran('2026-06-10T09:00:00Z', 'succeeded');
    expect(decide({ ...extra, rerun: 'always' }, rec, ctx('2026-06-12T08:00:30Z')).kind).toBe(
      'run',
    );
    expect(decide(extra, {}, ctx('2026-06-12T07:00:00Z'))).toEqual({
      kind: 'idle',
      nextRunAtMs: Z('2026-06-12T08:00:00Z'),
    });
    const onEnrol = deployment({ triggers: [{ type: 'on-enrolment' }], rerun: 'always' });
    expect(pendingTrigger(onEnrol, seen('2026-06-10T09:00:00Z'), Z('2026-06-10T09:00:00Z'))).toBe(
      Z('2026-06-01T00:00:00Z'),
    );
    // Once it ran, enrolment does not fire again.
    expect(decide(onEnrol, rec, ctx('2026-06-20T00:00:00Z'))).toEqual({ kind: 'idle' });
  });

  it('not before availableAt, not after expiresAt', () => {
    const dep = deployment({ availableAt: '2026-06-10T12:00', expiresAt: '2026-06-20T00:00' });
    const rec = seen('2026-06-10T09:00:00Z');
    expect(decide(dep, rec, ctx('2026-06-10T11:59:00Z'))).toEqual({
      kind: 'not-yet-available',
      availableAtMs: Z('2026-06-10T12:00:00Z'),
      nextRunAtMs: Z('2026-06-10T12:00:00Z'),
    });
    expect(decide(dep, rec, ctx('2026-06-10T12:00:00Z')).kind).toBe('run');
    expect(decide(dep, rec, ctx('2026-06-20T00:00:00Z'))).toEqual({ kind: 'expired' });
  });

  it('local time base reads wall times in the process zone', () => {
    const dep = deployment({
      triggers: [{ type: 'at', start: '2026-06-12T08:00' }],
      timeBase: 'local',
    });
    const offsetMs = new Date(Z('2026-06-12T08:00:00Z')).getTimezoneOffset() * MIN;
    expect(decide(dep, {}, ctx('2026-06-11T00:00:00Z'))).toEqual({
      kind: 'idle',
      nextRunAtMs: Z('2026-06-12T08:00:00Z') + offsetMs,
    });
  });
});

describe('maintenance windows', () => {
  const dep = deployment();
  const rec = seen('2026-06-10T09:00:00Z');

  it('waits outside a window and names the next start where the run fits', () => {
    expect(decide(dep, rec, ctx('2026-06-10T09:00:00Z', { windows: [window()] }))).toEqual({
      kind: 'waiting-window',
      triggerMs: Z('2026-06-10T09:00:00Z'),
      durationMs: 30 * MIN,
      nextRunAtMs: Z('2026-06-10T22:00:00Z'),
    });
    expect(decide(dep, rec, ctx('2026-06-10T22:10:00Z', { windows: [window()] })).kind).toBe('run');
  });

  it('a window too short for the maximum run time is not used', () => {
    const now = ctx('2026-06-10T23:45:00Z', { windows: [window()] });
    expect(decide(dep, rec, now)).toMatchObject({
      kind: 'waiting-window',
      nextRunAtMs: Z('2026-06-11T22:00:00Z'),
    });
    // A 5-minute window never fits 30 minutes: no next start at all.
    const tiny = ctx('2026-06-10T09:00:00Z', { windows: [window({ durationMinutes: 5 })] });
    expect(decide(dep, rec, tiny)).toEqual({
      kind: 'waiting-window',
      triggerMs: Z('2026-06-10T09:00:00Z'),
      durationMs: 30 * MIN,
    });
  });

  it('the run time of dependencies counts; overlapping windows merge', () => {
    const dependency = program({ id: 'prog-0', name: 'Runtime', maxRunMinutes: 100 });
    const main = program({ dependsOnProgramId: 'prog-0' });
    const windows = [window(), window({ id: 'mw-2', start: '2026-01-01T23:00' })]; // 22:00-01:00
    const now = ctx('2026-06-10T22:00:00Z', { programs: [dependency, main], windows });
    expect(decide(dep, rec, now)).toMatchObject({ kind: 'run', chain: [dependency, main] });
    const onlyOne = ctx('2026-06-10T22:00:00Z', {
      programs: [dependency, main],
      windows: [window()],
    });
    expect(decide(dep, rec, onlyOne)).toMatchObject({
      kind: 'waiting-window',
      durationMs: 130 * MIN,
    });
  });

  it('override, software-update windows and disabled windows do not hold a run', () => {
    const windows = [window()];
    const at = '2026-06-10T09:00:00Z';
    expect(
      decide({ ...dep, overrideMaintenanceWindows: true }, rec, ctx(at, { windows })).kind,
    ).toBe('run');
    const others = [window({ appliesTo: 'software-updates' }), window({ enabled: false })];
    expect(decide(dep, rec, ctx(at, { windows: others })).kind).toBe('run');
  });
});

describe('dependencies, disabled programs, content and postponement', () => {
  const rec = seen('2026-06-10T09:00:00Z');
  const at = '2026-06-10T09:00:00Z';

  it('a dependency that succeeded on this device is not run again', () => {
    const dependency = program({ id: 'prog-0' });
    const main = program({ dependsOnProgramId: 'prog-0' });
    const programs = new Map([dependency, main].map((p) => [p.id, p]));
    expect(dependencyChain(main, programs, {})).toEqual({ ok: true, chain: [dependency, main] });
    expect(
      dependencyChain(main, programs, { 'prog-0': { lastResult: 'succeeded', lastRunAt: at } }),
    ).toEqual({ ok: true, chain: [main] });
  });

  it('a missing, disabled or cyclic dependency fails the deployment', () => {
    const main = program({ dependsOnProgramId: 'prog-0' });
    expect(decide(deployment(), rec, ctx(at, { programs: [main] }))).toMatchObject({
      kind: 'fail',
      reasonCode: 'DEPENDENCY_MISSING',
    });
    const disabled = program({ id: 'prog-0', disabled: true });
    expect(decide(deployment(), rec, ctx(at, { programs: [main, disabled] }))).toMatchObject({
      kind: 'fail',
      reasonCode: 'DEPENDENCY_DISABLED',
    });
    const loop = program({ id: 'prog-0', dependsOnProgramId: 'prog-1' });
    expect(decide(deployment(), rec, ctx(at, { programs: [main, loop] }))).toMatchObject({
      kind: 'fail',
      reasonCode: 'DEPENDENCY_CYCLE',
    });
  });

  it('a disabled program never starts, not even on request', () => {
    const programs = [program({ disabled: true })];
    expect(decide(deployment(), rec, ctx(at, { programs }))).toEqual({ kind: 'disabled' });
    expect(
      decide(
        deployment({ purpose: 'available' }),
        { ...rec, requestedAtMs: Z(at) },
        ctx(at, { programs }),
      ),
    ).toEqual({ kind: 'disabled' });
  });

  it('content that could not be had is retried after its delay', () => {
    const waiting = { ...rec, retryAtMs: Z('2026-06-10T09:10:00Z') };
    expect(decide(deployment(), waiting, ctx('2026-06-10T09:05:00Z'))).toEqual({
      kind: 'waiting-content',
      triggerMs: Z(at),
      retryAtMs: Z('2026-06-10T09:10:00Z'),
    });
    expect(decide(deployment(), waiting, ctx('2026-06-10T09:10:00Z')).kind).toBe('run');
  });

  it('a postponed deadline waits until the postponement ends', () => {
    const postponed = {
      ...rec,
      postponeDeadlineMs: Z(at),
      postponedUntilMs: Z('2026-06-10T10:00:00Z'),
    };
    expect(decide(deployment(), postponed, ctx('2026-06-10T09:30:00Z'))).toEqual({
      kind: 'postponed',
      triggerMs: Z(at),
      untilMs: Z('2026-06-10T10:00:00Z'),
    });
    expect(decide(deployment(), postponed, ctx('2026-06-10T10:00:00Z')).kind).toBe('run');
  });
});

describe('available deployments', () => {
  const dep = deployment({ purpose: 'available', triggers: [] });

  it('run only when requested, and a request ignores maintenance windows', () => {
    const at = '2026-06-10T09:00:00Z';
    expect(decide(dep, seen(at), ctx(at, { windows: [window()] }))).toEqual({ kind: 'idle' });
    expect(
      decide(dep, seen(at, { requestedAtMs: Z(at) }), ctx(at, { windows: [window()] })),
    ).toMatchObject({ kind: 'run', userRequested: true });
  });
});

describe('pre-download', () => {
  const dep = deployment({
    preDownload: true,
    triggers: [{ type: 'at', start: '2026-06-12T02:00' }],
  });
  const now = Z('2026-06-10T09:00:00Z');

  it('downloads ahead of a coming deadline, once per package version', () => {
    const decision = decide(dep, {}, ctx('2026-06-10T09:00:00Z'));
    expect(wantsPreDownload(dep, {}, decision, program(), now)).toBe(true);
    expect(wantsPreDownload(dep, { preDownloaded: 'pv-1' }, decision, program(), now)).toBe(false);
    expect(wantsPreDownload({ ...dep, preDownload: false }, {}, decision, program(), now)).toBe(
      false,
    );
    expect(wantsPreDownload({ ...dep, contentMode: 'from-dp' }, {}, decision, program(), now)).toBe(
      false,
    );
  });
});
