import { DEFAULT_DEVICE_COLUMNS } from '@steward/protocol';
import { describe, expect, it } from 'vitest';
import {
  hasListParams,
  matchesView,
  moveColumn,
  stateOfParams,
  stateOfView,
  viewStateOf,
  writeParams,
} from './device-list-filters';

describe('the device list state in the address', () => {
  it('round-trips a full state, and keeps the rest of the address', () => {
    const params = new URLSearchParams(
      'tab=members&q=web&status=online&sort=inventory.cpu.model&order=desc&cols=name,serial,inventory.cpu.model&density=compact&view=v1&limit=100',
    );
    const state = stateOfParams(params);
    expect(state).toMatchObject({
      search: 'web',
      status: 'online',
      sort: 'inventory.cpu.model',
      order: 'desc',
      columns: ['name', 'serial', 'inventory.cpu.model'],
      density: 'compact',
      view: 'v1',
      limit: 100,
    });
    const written = writeParams(params, state);
    expect(written.get('tab')).toBe('members');
    expect(stateOfParams(written)).toEqual(state);
  });

  it('falls back to the defaults for missing or malformed values', () => {
    const state = stateOfParams(new URLSearchParams('sort=drop table&cols=bogus,,&status=x'));
    expect(state.sort).toBe('name');
    expect(state.status).toBeUndefined();
    expect(state.columns).toEqual([...DEFAULT_DEVICE_COLUMNS]);
    expect(writeParams(new URLSearchParams(), state).toString()).toBe('');
    expect(hasListParams(new URLSearchParams('tab=rules'))).toBe(false);
    expect(hasListParams(new URLSearchParams('view=v1'))).toBe(true);
  });

  it('turns a list into a view and back', () => {
    const state = stateOfParams(new URLSearchParams('q=db&cols=name,freeDisk&sort=freeDisk'));
    const view = viewStateOf(state);
    expect(view).toEqual({ search: 'db', columns: ['name', 'freeDisk'], sort: 'freeDisk' });
    expect(matchesView(state, view)).toBe(true);
    expect(matchesView({ ...state, density: 'compact' }, view)).toBe(false);
    expect(stateOfView(view, 'v2')).toEqual({ ...state, view: 'v2' });
  });

  it('moves a column one place, and not past either end', () => {
    expect(moveColumn(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveColumn(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveColumn(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
});
