import { describe, expect, it } from 'vitest';
import { decidePhase, formatPercent, type PhaseProgress } from './decide.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const phase = (over: Partial<PhaseProgress> = {}): PhaseProgress => ({
  index: 1,
  successPercent: 80,
  soakMinutes: 30,
  thresholdReachedAt: null,
  ...over,
});
const summary = (targeted: number, successPercent: number, failurePercent: number) => ({
  targeted,
  successPercent,
  failurePercent,
});

describe('decidePhase', () => {
  it('waits on an empty collection, whatever the percentages say', () => {
    expect(decidePhase(phase(), summary(0, 100, 100), 10, T0)).toEqual({
      kind: 'wait',
      why: 'empty',
    });
  });

  it('halts when failures pass the threshold, naming the phase from 1 and both percentages', () => {
    expect(decidePhase(phase(), summary(3, 0, 33.3333), 20, T0)).toEqual({
      kind: 'halt',
      reason: 'phase 2: 33.3% of devices failed (threshold 20%)',
    });
  });

  it('does not halt at exactly the threshold (it must be passed)', () => {
    expect(decidePhase(phase(), summary(10, 0, 20), 20, T0)).toEqual({
      kind: 'wait',
      why: 'below-threshold',
    });
  });

  it('halts while soaking too', () => {
    const p = phase({ thresholdReachedAt: T0.toISOString() });
    expect(decidePhase(p, summary(10, 80, 20), 10, minutes(5)).kind).toBe('halt');
  });

  it('starts the soak when the success threshold is reached, then completes after it', () => {
    expect(decidePhase(phase(), summary(10, 79, 0), 50, T0).kind).toBe('wait');
    expect(decidePhase(phase(), summary(10, 80, 0), 50, T0)).toEqual({
      kind: 'soak',
      thresholdReachedAt: T0.toISOString(),
    });
    const soaking = phase({ thresholdReachedAt: T0.toISOString() });
    expect(decidePhase(soaking, summary(10, 80, 0), 50, minutes(29))).toEqual({
      kind: 'wait',
      why: 'soaking',
    });
    expect(decidePhase(soaking, summary(10, 80, 0), 50, minutes(30))).toEqual({
      kind: 'complete',
      thresholdReachedAt: T0.toISOString(),
    });
  });

  it('keeps soaking once the threshold was reached even if successes drop below it', () => {
    const soaking = phase({ thresholdReachedAt: T0.toISOString() });
    expect(decidePhase(soaking, summary(10, 50, 0), 50, minutes(31)).kind).toBe('complete');
  });

  it('completes at once with no soak time', () => {
    expect(decidePhase(phase({ soakMinutes: 0 }), summary(4, 100, 0), 50, T0)).toEqual({
      kind: 'complete',
      thresholdReachedAt: T0.toISOString(),
    });
  });
});

describe('formatPercent', () => {
  it('keeps one decimal and drops a trailing zero', () => {
    expect(formatPercent(50)).toBe('50');
    expect(formatPercent(66.6666)).toBe('66.7');
    expect(formatPercent(12.04)).toBe('12');
  });
});
