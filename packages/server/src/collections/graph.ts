import type { CollectionRule } from '@steward/protocol';

/** What one collection's membership depends on: its limiting collection and include/exclude targets. */
export interface CollectionNode {
  id: string;
  limitingCollectionId: string | null;
  rules: readonly CollectionRule[];
}

export function dependenciesOf(
  node: Pick<CollectionNode, 'limitingCollectionId' | 'rules'>,
): string[] {
  const deps = new Set<string>();
  if (node.limitingCollectionId) deps.add(node.limitingCollectionId);
  for (const r of node.rules) {
    if (r.kind === 'include' || r.kind === 'exclude') deps.add(r.collectionId);
  }
  return [...deps];
}

/**
 * A dependency cycle through `startId` (as the list of ids around it, first = last), or
 * undefined. Membership of a collection in a cycle would depend on itself, so such definitions
 * are refused when they are saved.
 */
export function findCycle(nodes: readonly CollectionNode[], startId: string): string[] | undefined {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const path: string[] = [];
  const done = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    if (path.includes(id)) return id === startId ? [...path, id] : undefined;
    if (done.has(id)) return undefined;
    path.push(id);
    for (const dep of dependenciesOf(byId.get(id) ?? { limitingCollectionId: null, rules: [] })) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(id);
    return undefined;
  };
  return visit(startId);
}

/**
 * Collections in an order where every collection comes after those it depends on, so that
 * evaluating them in turn reads fresh memberships. Stored definitions are acyclic (checked on
 * save); should a cycle still appear, its members are appended rather than dropped.
 */
export function evaluationOrder(nodes: readonly CollectionNode[]): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    if (state.get(id) !== undefined || !byId.has(id)) return;
    state.set(id, 'visiting');
    for (const dep of dependenciesOf(byId.get(id) ?? { limitingCollectionId: null, rules: [] }))
      visit(dep);
    state.set(id, 'done');
    order.push(id);
  };
  for (const n of nodes) visit(n.id);
  return order;
}

/** `ids` and every collection that depends on them directly or indirectly, in evaluation order. */
export function withDependants(nodes: readonly CollectionNode[], ids: readonly string[]): string[] {
  const affected = new Set(ids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (!affected.has(n.id) && dependenciesOf(n).some((d) => affected.has(d))) {
        affected.add(n.id);
        grew = true;
      }
    }
  }
  return evaluationOrder(nodes).filter((id) => affected.has(id));
}

/** Collections whose definition names `id` (they must go before `id` can be deleted). */
export function dependantsOf(nodes: readonly CollectionNode[], id: string): string[] {
  return nodes.filter((n) => n.id !== id && dependenciesOf(n).includes(id)).map((n) => n.id);
}
