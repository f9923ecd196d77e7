import type {
  Collection,
  CollectionDefinition,
  CollectionRule,
  InventoryClassShape,
} from '@steward/protocol';
import { validateQuery } from '@steward/protocol';

export interface QueryRuleDraft {
  key: number;
  name: string;
  query: string;
}

/** The editor's state: rules grouped by kind, as the administrator thinks of them. */
export interface CollectionForm {
  name: string;
  description: string;
  limitingCollectionId: string | null;
  evaluationIntervalMinutes: number;
  queries: QueryRuleDraft[];
  direct: string[];
  include: string[];
  exclude: string[];
}

let nextKey = 1;
export function newQueryRule(query = ''): QueryRuleDraft {
  return { key: nextKey++, name: '', query };
}

export function emptyForm(): CollectionForm {
  return {
    name: '',
    description: '',
    limitingCollectionId: null,
    evaluationIntervalMinutes: 60,
    queries: [newQueryRule()],
    direct: [],
    include: [],
    exclude: [],
  };
}

export function formFromDefinition(def: CollectionDefinition | Collection): CollectionForm {
  const form: CollectionForm = {
    name: def.name,
    description: def.description ?? '',
    limitingCollectionId: def.limitingCollectionId ?? null,
    evaluationIntervalMinutes: def.evaluationIntervalMinutes ?? 60,
    queries: [],
    direct: [],
    include: [],
    exclude: [],
  };
  for (const rule of def.rules) {
    switch (rule.kind) {
      case 'query':
        form.queries.push({ ...newQueryRule(rule.query), name: rule.name ?? '' });
        break;
      case 'direct':
        form.direct.push(rule.deviceId);
        break;
      case 'include':
        form.include.push(rule.collectionId);
        break;
      case 'exclude':
        form.exclude.push(rule.collectionId);
        break;
    }
  }
  return form;
}

export function rulesOf(form: CollectionForm): CollectionRule[] {
  return [
    ...form.queries
      .filter((q) => q.query.trim() !== '')
      .map((q): CollectionRule => ({
        kind: 'query',
        query: q.query,
        ...(q.name.trim() ? { name: q.name.trim() } : {}),
      })),
    ...form.direct.map((deviceId): CollectionRule => ({ kind: 'direct', deviceId })),
    ...form.include.map((collectionId): CollectionRule => ({ kind: 'include', collectionId })),
    ...form.exclude.map((collectionId): CollectionRule => ({ kind: 'exclude', collectionId })),
  ];
}

export function definitionOf(form: CollectionForm): CollectionDefinition {
  return {
    name: form.name.trim(),
    description: form.description,
    limitingCollectionId: form.limitingCollectionId,
    rules: rulesOf(form),
    evaluationIntervalMinutes: form.evaluationIntervalMinutes,
  };
}

/** True when every non-empty query rule parses and type-checks. */
export function queriesValid(
  form: CollectionForm,
  catalog: readonly InventoryClassShape[] | undefined,
): boolean {
  if (!catalog) return false;
  return form.queries.every((q) => q.query.trim() === '' || validateQuery(q.query, catalog).ok);
}

/** A short human summary of a rule set ("2 queries, 3 direct members, includes 1"). */
export function describeRules(rules: readonly CollectionRule[]): string {
  const count = (kind: CollectionRule['kind']) => rules.filter((r) => r.kind === kind).length;
  const parts: string[] = [];
  const q = count('query');
  const d = count('direct');
  const i = count('include');
  const e = count('exclude');
  if (q) parts.push(`${q} quer${q === 1 ? 'y' : 'ies'}`);
  if (d) parts.push(`${d} direct member${d === 1 ? '' : 's'}`);
  if (i) parts.push(`includes ${i}`);
  if (e) parts.push(`excludes ${e}`);
  return parts.join(', ') || 'no rules';
}
