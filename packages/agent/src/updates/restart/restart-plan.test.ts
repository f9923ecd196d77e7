import { describe, expect, it } from 'vitest';
import {
  accept,
  advance,
  newRestart,
  pendingReason,
  snooze,
  type PendingRestart,
  type RestartOptions,
} from './restart-plan.js';

const MIN = 60_000;
const T0 = Date.parse('2031-05-05T10:00:00.000Z');

const options: RestartOptions = {
  notifyUsers: true,
  allowRestartOutsideWindows: false,
  restartCountdownMinutes: 60,
  restartMaxSnoozeMinutes: 120,
  restartFinalCountdownMinutes: 15,
};

function pending(
  decision: 'suppressed' | 'wait-window' | 'restart',
  o: Partial<RestartOptions> = {},
): PendingRestart {
  return {
    ...newRestart(
      {
        deploymentId: 'd1',
        name: 'December security',
        revision: 3,
        runId: 'run-1',
        summary: 'installed hello=2.0',
        options: { ...options, ...o },
      },
      decision,
      T0,
    ),
    armed: true,
  };
}

describe('update restart countdown, snooze and final countdown', () => {
  it('counts down, takes a snooze, then enters the final countdown and restarts', () => {
    let r = pending('restart');
    expect(r).toMatchObject({
      phase: 'countdown',
      restartAtMs: T0 + 60 * MIN,
      mandatoryAtMs: T0 + 180 * MIN,
    });
    // Within the countdown nothing happens.
    expect(advance(r, T0 + 30 * MIN, true, undefined).event.kind).toBe('none');
    const s = snooze(r, T0 + 30 * MIN, { minutes: 30 });
    if (!s.ok) throw new Error(s.message);
    r = s.restart;
    expect(r.restartAtMs).toBe(T0 + 90 * MIN);
    // The final countdown starts 15 minutes before the restart; no snoozing from then on.
    const final = advance(r, T0 + 75 * MIN, true, undefined);
    expect(final.event.kind).toBe('final-countdown');
    r = final.restart;
    expect(snooze(r, T0 + 76 * MIN, { minutes: 5 })).toMatchObject({
      ok: false,
      code: 'NOT_SNOOZABLE',
    });
    expect(advance(r, T0 + 89 * MIN, true, undefined).event.kind).toBe('none');
    const due = advance(r, T0 + 90 * MIN, true, undefined);
    expect(due.event.kind).toBe('restart');
    expect(due.restart.phase).toBe('restarting');
  });

  it('refuses a snooze past the mandatory time and a reschedule into the past', () => {
    const r = pending('restart');
    expect(snooze(r, T0, { minutes: 121 })).toMatchObject({ ok: false, code: 'SNOOZE_LIMIT' });
    expect(snooze(r, T0, { minutes: 120 })).toMatchObject({
      ok: true,
      restart: { restartAtMs: T0 + 180 * MIN },
    });
    expect(snooze(r, T0, { untilMs: T0 + 181 * MIN })).toMatchObject({ code: 'SNOOZE_LIMIT' });
    expect(snooze(r, T0 + 10 * MIN, { untilMs: T0 })).toMatchObject({ code: 'NOT_SNOOZABLE' });
  });

  it('postpones a restart due outside a window automatically and warns again in the next', () => {
    let r = pending('restart');
    const out = advance(r, T0 + 60 * MIN, false, T0 + 600 * MIN);
    expect(out.event).toEqual({
      kind: 'auto-postponed',
      reason: `outside a maintenance window; the next opens at ${new Date(T0 + 600 * MIN).toISOString()}`,
    });
    r = out.restart;
    expect(r.phase).toBe('waiting-window');
    expect(advance(r, T0 + 300 * MIN, false, T0 + 600 * MIN).event.kind).toBe('none');
    // Warned once already: inside the window only the final countdown runs.
    const inWindow = advance(r, T0 + 600 * MIN, true, undefined);
    expect(inWindow.event.kind).toBe('final-countdown');
    expect(inWindow.restart.restartAtMs).toBe(T0 + 615 * MIN);
    expect(advance(inWindow.restart, T0 + 615 * MIN, true, undefined).event.kind).toBe('restart');
  });

  it('restarts outside windows when the deployment allows it', () => {
    const r = pending('restart', { allowRestartOutsideWindows: true });
    expect(advance(r, T0 + 60 * MIN, false, undefined).event.kind).toBe('restart');
  });

  it('starts the first countdown when a waiting device reaches its window', () => {
    const r = pending('wait-window');
    expect(r.phase).toBe('waiting-window');
    expect(advance(r, T0, false, T0 + 60 * MIN).event.kind).toBe('none');
    const step = advance(r, T0 + 60 * MIN, true, undefined);
    expect(step.event.kind).toBe('countdown-started');
    expect(step.restart.restartAtMs).toBe(T0 + 120 * MIN);
  });

  it('restarts at once without a countdown or without notifications', () => {
    expect(
      pending('restart', { restartCountdownMinutes: 0, restartFinalCountdownMinutes: 0 }).phase,
    ).toBe('restarting');
    expect(pending('restart', { notifyUsers: false }).phase).toBe('restarting');
    // A countdown shorter than the final one is all final.
    const short = pending('restart', { restartCountdownMinutes: 5 });
    expect(short).toMatchObject({ phase: 'final', restartAtMs: T0 + 15 * MIN });
  });

  it('keeps a suppressed restart until the user accepts it', () => {
    const r = { ...pending('suppressed'), note: 'restart required, suppressed on servers' };
    expect(advance(r, T0 + 10_000 * MIN, true, undefined).event.kind).toBe('none');
    expect(pendingReason(r)).toBe('restart required, suppressed on servers');
    expect(snooze(r, T0, { minutes: 5 })).toMatchObject({ code: 'NOT_SNOOZABLE' });
    const step = accept(r);
    expect(step.event.kind).toBe('restart');
    expect(accept(step.restart).event.kind).toBe('none');
  });

  it('makes a suppressed restart mandatory at its restart deadline: final countdown, in a window', () => {
    const r = {
      ...pending('suppressed', { suppressedRestartDeadlineMinutes: 24 * 60 }),
      note: 'restart required, suppressed on servers',
    };
    expect(r).toMatchObject({ phase: 'suppressed', suppressedAtMs: T0 });
    expect(pendingReason(r)).toBe(
      'restart required, suppressed on servers; mandatory from 2031-05-06T10:00:00.000Z',
    );
    expect(advance(r, T0 + 24 * 60 * MIN - 1, true, undefined).event.kind).toBe('none');
    // At the deadline, outside a window: the suppression ends and the restart waits for one.
    const ended = advance(r, T0 + 24 * 60 * MIN, false, T0 + 30 * 60 * MIN);
    expect(ended.event).toEqual({ kind: 'suppression-ended', deadlineMs: T0 + 24 * 60 * MIN });
    expect(ended.restart).toMatchObject({ phase: 'waiting-window', warned: true });
    expect(ended.restart.suppressedAtMs).toBeUndefined();
    expect(advance(ended.restart, T0 + 25 * 60 * MIN, false, undefined).event.kind).toBe('none');
    // In the window: the final countdown alone (no snoozing), then the restart.
    const final = advance(ended.restart, T0 + 30 * 60 * MIN, true, undefined);
    expect(final.event.kind).toBe('final-countdown');
    expect(final.restart.restartAtMs).toBe(T0 + 30 * 60 * MIN + 15 * MIN);
    expect(snooze(final.restart, T0 + 30 * 60 * MIN, { minutes: 5 }).ok).toBe(false);
    expect(advance(final.restart, T0 + 30 * 60 * MIN + 15 * MIN, true, undefined).event.kind).toBe(
      'restart',
    );
  });

  it('keeps a suppressed restart without a restart deadline (0) until the user accepts it', () => {
    const r = pending('suppressed', { suppressedRestartDeadlineMinutes: 0 });
    expect(advance(r, T0 + 365 * 24 * 60 * MIN, true, undefined).event.kind).toBe('none');
  });
});
