import { describe, expect, it } from 'vitest';
import type { AgentVersionSettings } from '@steward/protocol';
import { rolloutByMembership, rolloutOf, targetVersionOf } from './client-version.js';

const base: AgentVersionSettings = {
  upgradeWindowHours: 24,
  upgradeReportInSeconds: 120,
  upgradeAllowFallback: true,
  upgradeAttemptTimeoutHours: 2,
  productionVersion: '1.0.0',
  preproductionVersion: '1.1.0',
  preproductionCollectionId: 'pre',
  exclusionCollectionId: 'excl',
};

describe('client-version rollout (docs/client-deployment.md)', () => {
  it('pre-production members follow pre-production, everyone else production', () => {
    expect(rolloutOf(base, { preproduction: true, excluded: false })).toBe('pre-production');
    expect(rolloutOf(base, { preproduction: false, excluded: false })).toBe('production');
    expect(targetVersionOf(base, 'pre-production')).toBe('1.1.0');
    expect(targetVersionOf(base, 'production')).toBe('1.0.0');
  });

  it('the exclusion collection wins: no target at all, even for a pre-production member', () => {
    expect(rolloutOf(base, { preproduction: true, excluded: true })).toBe('excluded');
    expect(rolloutOf(base, { preproduction: false, excluded: true })).toBe('excluded');
    expect(targetVersionOf(base, 'excluded')).toBeNull();
  });

  it('without a pre-production version, members follow production', () => {
    const s = { ...base, preproductionVersion: null };
    expect(rolloutOf(s, { preproduction: true, excluded: false })).toBe('production');
  });

  it('needs per-device lookups only when a collection decides', () => {
    expect(rolloutByMembership(base)).toBe(true);
    expect(
      rolloutByMembership({ ...base, exclusionCollectionId: null, preproductionVersion: null }),
    ).toBe(false);
    expect(rolloutByMembership({ ...base, preproductionCollectionId: null })).toBe(true);
    expect(
      rolloutByMembership({
        ...base,
        preproductionCollectionId: null,
        exclusionCollectionId: null,
      }),
    ).toBe(false);
  });
});
