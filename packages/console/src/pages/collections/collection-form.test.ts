import { BUILTIN_CLASSES } from '@steward/protocol';
import type { CollectionDefinition } from '@steward/protocol';
import { describe, expect, it } from 'vitest';
import {
  definitionOf,
  describeRules,
  emptyForm,
  formFromDefinition,
  queriesValid,
} from './collection-form';

describe('collection form', () => {
  const def: CollectionDefinition = {
    name: 'Paris databases',
    description: 'PostgreSQL servers',
    limitingCollectionId: 'all-systems',
    evaluationIntervalMinutes: 30,
    rules: [
      { kind: 'query', name: 'postgres', query: 'any(service, name = "postgresql.service")' },
      { kind: 'direct', deviceId: 'd1' },
      { kind: 'include', collectionId: 'c1' },
      { kind: 'exclude', collectionId: 'c2' },
    ],
  };

  it('round-trips a definition through the editor state', () => {
    expect(definitionOf(formFromDefinition(def))).toEqual(def);
  });

  it('drops empty query rules and unnamed rule names', () => {
    const form = { ...emptyForm(), name: '  x  ' };
    form.queries.push({ key: 999, name: ' ', query: 'os.family = "debian"' });
    expect(definitionOf(form).rules).toEqual([{ kind: 'query', query: 'os.family = "debian"' }]);
    expect(definitionOf(form).name).toBe('x');
  });

  it('is valid only when every query parses and type-checks against the classes', () => {
    const form = formFromDefinition(def);
    expect(queriesValid(form, BUILTIN_CLASSES)).toBe(true);
    expect(queriesValid(form, undefined)).toBe(false);
    form.queries.push({ key: 1000, name: '', query: 'memory.nope > 1' });
    expect(queriesValid(form, BUILTIN_CLASSES)).toBe(false);
  });

  it('summarises rules for the collection list', () => {
    expect(describeRules(def.rules)).toBe('1 query, 1 direct member, includes 1, excludes 1');
    expect(describeRules([])).toBe('no rules');
  });
});
