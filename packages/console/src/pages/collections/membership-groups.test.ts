import { describe, expect, it } from 'vitest';
import type { MembershipChange } from '@steward/protocol';
import { groupByEvaluation } from './membership-groups';

const change = (
  id: number,
  at: string,
  revision: number,
  kind: 'added' | 'removed',
): MembershipChange => ({
  id: String(id),
  at,
  deviceId: `d${id}`,
  deviceName: `web-${id}`,
  change: kind,
  revision,
});

describe('groupByEvaluation', () => {
  it('makes one group per evaluation (time and revision), newest first, with its counts', () => {
    const groups = groupByEvaluation([
      change(5, '2026-12-06T10:00:00.000Z', 2, 'added'),
      change(4, '2026-12-06T10:00:00.000Z', 2, 'removed'),
      change(3, '2026-12-06T10:00:00.000Z', 2, 'added'),
      change(2, '2026-12-06T09:00:00.000Z', 1, 'removed'),
      change(1, '2026-12-06T08:00:00.000Z', 1, 'added'),
    ]);
    expect(
      groups.map((g) => [g.at.slice(11, 13), g.added.length, g.removed.length, g.rulesChanged]),
    ).toEqual([
      ['10', 2, 1, true],
      ['09', 0, 1, false],
      ['08', 1, 0, false],
    ]);
  });

  it('keeps two evaluations apart when they share a time but not a revision', () => {
    const at = '2026-12-06T10:00:00.000Z';
    expect(groupByEvaluation([change(2, at, 3, 'added'), change(1, at, 2, 'added')])).toHaveLength(
      2,
    );
  });
});
