import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  BULK_DEVICE_ACTIONS,
  BulkDeviceActionRequest,
  MAX_SELECTION_IDS,
  bulkActionPermission,
  countStillConfirmed,
} from './bulk.js';

describe('bulk device actions', () => {
  it('takes ids or a filter, never both, and no sorting or paging in the filter', () => {
    const ok = (selection: unknown) =>
      Value.Check(BulkDeviceActionRequest, { selection, action: 'revoke' });
    expect(ok({ ids: ['a', 'b'] })).toBe(true);
    expect(ok({ filter: { search: 'web', status: 'online', collection: 'c1' } })).toBe(true);
    expect(ok({ filter: {} })).toBe(true);
    expect(ok({ ids: ['a'], filter: {} })).toBe(false);
    expect(ok({ ids: [] })).toBe(false);
    expect(ok({ ids: Array.from({ length: MAX_SELECTION_IDS + 1 }, (_, i) => `d${i}`) })).toBe(
      false,
    );
    expect(ok({ filter: { limit: 10 } })).toBe(false);
    expect(ok({ filter: { sort: 'name' } })).toBe(false);
    expect(ok({ filter: { status: 'sleeping' } })).toBe(false);
  });

  it('needs the permission of each single-device counterpart', () => {
    expect(BULK_DEVICE_ACTIONS.map((a) => [a, bulkActionPermission(a)])).toEqual([
      ['collection:add', 'collections:write'],
      ['collection:remove', 'collections:write'],
      ['inventory:collect', 'devices:act'],
      ['policy:fetch', 'devices:act'],
      ['deployments:evaluate', 'devices:act'],
      ['revoke', 'devices:write'],
    ]);
  });

  it('holds a confirmed count within 5%, exactly below 20 devices', () => {
    expect(countStillConfirmed(8213, 8213)).toBe(true);
    expect(countStillConfirmed(8213, 8213 + 410)).toBe(true);
    expect(countStillConfirmed(8213, 8213 + 411)).toBe(false);
    expect(countStillConfirmed(8213, 8213 - 411)).toBe(false);
    expect(countStillConfirmed(3, 3)).toBe(true);
    expect(countStillConfirmed(3, 4)).toBe(false);
    expect(countStillConfirmed(0, 1)).toBe(false);
  });
});
