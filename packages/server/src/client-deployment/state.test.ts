import { describe, expect, it } from 'vitest';
import { clientDeploymentState, type ClientDeploymentInput } from './state.js';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const base: ClientDeploymentInput = {
  rollout: 'production',
  expectedVersion: '1.2.0',
  expectedSince: '2026-12-06T00:00:00.000Z',
  upgradeWindowHours: 24,
  agentVersion: '1.2.0',
  active: true,
  lastContactAt: '2026-12-06T11:59:00.000Z',
  latestAttempt: null,
  failedChecks: [],
  attemptTimeoutMs: 3600_000,
  now: NOW,
};
const state = (o: Partial<ClientDeploymentInput>) => clientDeploymentState({ ...base, ...o });

describe('client deployment state (docs/client-deployment.md, "States")', () => {
  it('is Compliant when the expected version runs and the client check passed', () => {
    expect(state({})).toEqual({
      state: 'compliant',
      reason: 'runs production version 1.2.0 and passed its client check',
    });
    expect(state({ failedChecks: null }).state).toBe('compliant');
  });

  it('is Noncompliant when the expected version runs but a client check fails', () => {
    const v = state({ failedChecks: ['disk-free', 'service'] });
    expect(v.state).toBe('noncompliant');
    expect(v.reason).toContain('disk-free, service');
  });

  it('is Not started while another version runs inside the upgrade window, Noncompliant after', () => {
    expect(state({ agentVersion: '1.1.0' }).state).toBe('not-started');
    expect(state({ agentVersion: '1.1.0' }).reason).toContain('by 2026-12-07T00:00:00.000Z');
    const late = state({ agentVersion: '1.1.0', expectedSince: '2026-12-05T11:00:00.000Z' });
    expect(late.state).toBe('noncompliant');
    expect(late.reason).toContain('runs 1.1.0');
  });

  it('is In progress while an attempt towards the expected version runs, Failed once it timed out', () => {
    const attempt = {
      version: '1.2.0',
      outcome: 'running' as const,
      startedAt: '2026-12-06T11:50:00.000Z',
      finishedAt: null,
      error: null,
    };
    expect(state({ agentVersion: '1.1.0', latestAttempt: attempt }).state).toBe('in-progress');
    const stuck = { ...attempt, startedAt: '2026-12-06T10:00:00.000Z' };
    expect(state({ agentVersion: '1.1.0', latestAttempt: stuck }).state).toBe('failed');
    // An attempt towards another version says nothing of this one.
    expect(
      state({ agentVersion: '1.1.0', latestAttempt: { ...attempt, version: '1.3.0' } }).state,
    ).toBe('not-started');
  });

  it('is Failed with the attempt’s reason when the latest attempt failed', () => {
    const v = state({
      agentVersion: '1.1.0',
      latestAttempt: {
        version: '1.2.0',
        outcome: 'failed',
        startedAt: '2026-12-06T11:00:00.000Z',
        finishedAt: '2026-12-06T11:01:00.000Z',
        error: 'AGENT_UPGRADE_ROLLED_BACK: the new version did not report in within 300 s',
      },
    });
    expect(v).toEqual({
      state: 'failed',
      reason: 'AGENT_UPGRADE_ROLLED_BACK: the new version did not report in within 300 s',
    });
  });

  it('is Unknown for an inactive device whatever it last reported, and says since when', () => {
    const v = state({ active: false, lastContactAt: '2026-11-20T00:00:00.000Z' });
    expect(v.state).toBe('unknown');
    expect(v.reason).toContain('2026-11-20');
    expect(state({ active: false, lastContactAt: null }).reason).toContain('never reported');
  });

  it('reports a pre-production site-role host by what it runs, never as Not started by default', () => {
    // The seeds' warning: such hosts read "Not started" in Configuration Manager until promotion.
    const v = state({ rollout: 'pre-production', expectedVersion: '1.3.0', agentVersion: '1.3.0' });
    expect(v).toEqual({
      state: 'compliant',
      reason: 'runs pre-production version 1.3.0 and passed its client check',
    });
  });

  it('never shows an excluded device as Not started: it will not upgrade by itself', () => {
    const v = state({ excluded: true, agentVersion: '1.1.0' });
    expect(v.state).toBe('noncompliant');
    expect(v.reason).toContain('excluded from automatic client upgrade');
    expect(state({ excluded: true }).state).toBe('compliant');
  });
});
