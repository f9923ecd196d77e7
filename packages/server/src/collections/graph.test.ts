import { describe, expect, it } from 'vitest';
import {
  dependantsOf,
  evaluationOrder,
  findCycle,
  withDependants,
  type CollectionNode,
} from './graph.js';

const node = (
  id: string,
  deps: { limit?: string; include?: string[]; exclude?: string[] } = {},
): CollectionNode => ({
  id,
  limitingCollectionId: deps.limit ?? null,
  rules: [
    ...(deps.include ?? []).map((c) => ({ kind: 'include' as const, collectionId: c })),
    ...(deps.exclude ?? []).map((c) => ({ kind: 'exclude' as const, collectionId: c })),
    { kind: 'query', query: 'device.id is not null' },
  ],
});

describe('collection dependency graph', () => {
  const nodes = [
    node('c', { limit: 'b', exclude: ['x'] }),
    node('b', { include: ['a'] }),
    node('a'),
    node('x'),
    node('lone'),
  ];

  it('orders every collection after what it depends on', () => {
    const order = evaluationOrder(nodes);
    expect(order).toHaveLength(5);
    const before = (a: string, b: string) => order.indexOf(a) < order.indexOf(b);
    expect(before('a', 'b') && before('b', 'c') && before('x', 'c')).toBe(true);
  });
  it('finds the dependants of a changed collection, in order', () => {
    expect(withDependants(nodes, ['a'])).toEqual(['a', 'b', 'c']);
    expect(withDependants(nodes, ['x'])).toEqual(['x', 'c']);
    expect(withDependants(nodes, ['lone'])).toEqual(['lone']);
    expect(dependantsOf(nodes, 'b')).toEqual(['c']);
  });
  it('reports a cycle through the start, with its path', () => {
    const cyclic = [...nodes.filter((n) => n.id !== 'a'), node('a', { exclude: ['c'] })];
    expect(findCycle(cyclic, 'a')).toEqual(['a', 'c', 'b', 'a']);
    expect(findCycle([node('s', { limit: 's' })], 's')).toEqual(['s', 's']);
    expect(findCycle(nodes, 'c')).toBeUndefined();
  });
  it('still orders every node when a cycle slipped through', () => {
    expect(
      evaluationOrder([node('p', { include: ['q'] }), node('q', { include: ['p'] })]).sort(),
    ).toEqual(['p', 'q']);
  });
});
