import { describe, expect, it } from 'vitest';
import type { ContentLocation, ContentLocations } from '@steward/protocol';
import { usableLocations } from './locations.js';

const MIN = 60_000;

function loc(dpId: string, tier: ContentLocation['tier'], afterMinutes = 0): ContentLocation {
  return { dpId, name: dpId, url: `https://${dpId}`, tier, afterMinutes };
}

function locations(list: ContentLocation[]): ContentLocations {
  return {
    packageVersionId: 'v1',
    clientAddress: '10.0.0.1',
    boundaryGroupIds: ['g'],
    slow: false,
    locations: list,
    accessToken: 't',
    accessTokenExpiresAt: new Date().toISOString(),
  };
}

const ids = (r: { usable: ContentLocation[] }) => r.usable.map((l) => l.dpId);

describe('usable content locations', () => {
  const list = locations([
    loc('local', 'local'),
    loc('neighbour', 'neighbour', 30),
    loc('fallback', 'fallback', 120),
    loc('default', 'default'),
  ]);

  it('drops neighbour and fallback tiers when the deployment does not allow a fallback', () => {
    const r = usableLocations(list, { allowFallback: false }, 0, 1000 * MIN);
    expect(ids(r)).toEqual(['local', 'default']);
    expect(r.nextInMs).toBeUndefined();
  });

  it('opens later tiers only after failing locally for their afterMinutes', () => {
    const fresh = usableLocations(list, { allowFallback: true }, undefined, 0);
    expect(ids(fresh)).toEqual(['local', 'default']);
    expect(fresh.nextInMs).toBe(30 * MIN);
    const failedAt = 1_000_000;
    const after10 = usableLocations(list, { allowFallback: true }, failedAt, failedAt + 10 * MIN);
    expect(ids(after10)).toEqual(['local', 'default']);
    expect(after10.nextInMs).toBe(20 * MIN);
    const after30 = usableLocations(list, { allowFallback: true }, failedAt, failedAt + 30 * MIN);
    expect(ids(after30)).toEqual(['local', 'neighbour', 'default']);
    expect(after30.nextInMs).toBe(90 * MIN);
    const after2h = usableLocations(list, { allowFallback: true }, failedAt, failedAt + 120 * MIN);
    expect(ids(after2h)).toEqual(['local', 'neighbour', 'fallback', 'default']);
    expect(after2h.nextInMs).toBeUndefined();
  });
});
