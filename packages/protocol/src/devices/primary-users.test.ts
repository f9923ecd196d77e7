import { describe, expect, it } from 'vitest';
import { MAX_PRIMARY_USERS, parsePrimaryUsers } from './primary-users.js';

describe('parsePrimaryUsers', () => {
  it('splits on commas and semicolons, trims, keeps each name once', () => {
    expect(parsePrimaryUsers(' carol; dave,carol ,, CORP\\eve')).toEqual([
      'carol',
      'dave',
      'CORP\\eve',
    ]);
    expect(parsePrimaryUsers('')).toEqual([]);
  });

  it('keeps at most MAX_PRIMARY_USERS', () => {
    const many = Array.from({ length: 30 }, (_, i) => `u${String(i)}`).join(',');
    expect(parsePrimaryUsers(many)).toHaveLength(MAX_PRIMARY_USERS);
  });
});
