import { describe, expect, it } from 'vitest';
import type { AgentTaskSequenceDeployment, WindowSpec } from '@steward/protocol';
import { decideTaskSequence, rerunAllowed, sequenceDurationMs } from './deployments.js';

const NOW = Date.parse('2031-03-03T08:00:00.000Z');
const MINUTE = 60_000;

function dep(over: Partial<AgentTaskSequenceDeployment> = {}): AgentTaskSequenceDeployment {
  return {
    id: 'd1',
    name: 'Build',
    purpose: 'required',
    kind: 'non-os',
    availableAt: null,
    deadline: new Date(NOW - MINUTE).toISOString(),
    honorWindows: true,
    rerun: 'never',
    sequence: {
      sequenceId: 's1',
      name: 'Build',
      version: 1,
      variables: {},
      steps: [
        {
          type: 'step',
          kind: 'run-command',
          id: 'a',
          name: 'A',
          enabled: true,
          continueOnError: false,
          timeoutSeconds: 120,
          settings: { command: 'true' },
        },
      ],
    },
    ...over,
  };
}

/** A daily window from 22:00 for two hours (UTC). */
const night: WindowSpec = {
  start: '2031-03-01T22:00',
  durationMinutes: 120,
  recurrence: { kind: 'daily', everyDays: 1 },
  timeBase: 'utc',
  appliesTo: 'all',
  enabled: true,
};

describe('deployed task sequences: what runs when', () => {
  it('runs a required deployment once its deadline passed, and only once per deadline', () => {
    const d = dep();
    expect(decideTaskSequence(d, {}, NOW, [])).toEqual({ kind: 'run', deadline: d.deadline });
    expect(decideTaskSequence(d, { consumedDeadline: d.deadline ?? '' }, NOW, [])).toEqual({
      kind: 'idle',
    });
    expect(
      decideTaskSequence(dep({ deadline: new Date(NOW + MINUTE).toISOString() }), {}, NOW, []),
    ).toEqual({ kind: 'idle' });
  });

  it('applies the rerun behaviour to a new deadline', () => {
    const failed = { lastResult: 'failed' as const, consumedDeadline: 'old' };
    const succeeded = { lastResult: 'succeeded' as const, consumedDeadline: 'old' };
    expect(decideTaskSequence(dep({ rerun: 'never' }), failed, NOW, []).kind).toBe('skip');
    expect(decideTaskSequence(dep({ rerun: 'if-failed' }), failed, NOW, []).kind).toBe('run');
    expect(decideTaskSequence(dep({ rerun: 'if-failed' }), succeeded, NOW, []).kind).toBe('skip');
    expect(decideTaskSequence(dep({ rerun: 'always' }), succeeded, NOW, []).kind).toBe('run');
    expect(rerunAllowed(dep({ rerun: 'never' }), {})).toBe(true);
  });

  it('waits for a maintenance window the run fits in, unless the deployment ignores windows', () => {
    const waiting = decideTaskSequence(dep(), {}, NOW, [night]);
    expect(waiting).toEqual({
      kind: 'waiting-window',
      deadline: dep().deadline,
      nextRunAtMs: Date.parse('2031-03-03T22:00:00.000Z'),
    });
    expect(decideTaskSequence(dep({ honorWindows: false }), {}, NOW, [night]).kind).toBe('run');
    expect(sequenceDurationMs(dep())).toBe(120_000);
  });

  it('starts an available one only when asked, and nothing before it is available', () => {
    const offered = dep({ purpose: 'available', deadline: null });
    expect(decideTaskSequence(offered, {}, NOW, []).kind).toBe('idle');
    expect(decideTaskSequence(offered, { requestedBy: 'alice' }, NOW, [])).toEqual({
      kind: 'run',
      user: 'alice',
    });
    const later = dep({ availableAt: new Date(NOW + MINUTE).toISOString() });
    expect(decideTaskSequence(later, { requestedBy: 'alice' }, NOW, []).kind).toBe(
      'not-yet-available',
    );
  });
});
