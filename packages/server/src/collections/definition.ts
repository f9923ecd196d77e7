import { canonicalJson, type CollectionDefinition } from '@steward/protocol';

/*
 * Definitions as the site keeps them: every optional field filled in, so stored definitions
 * compare, and revisions read, alike. The repository stores only this shape.
 */

export const DEFAULT_EVALUATION_INTERVAL_MINUTES = 60;

export type StoredDefinition = Required<CollectionDefinition>;

/** Every optional field filled in, so stored definitions compare and revisions read alike. */
export function normaliseDefinition(def: CollectionDefinition): StoredDefinition {
  return {
    name: def.name,
    description: def.description ?? '',
    limitingCollectionId: def.limitingCollectionId ?? null,
    rules: def.rules,
    evaluationIntervalMinutes: def.evaluationIntervalMinutes ?? DEFAULT_EVALUATION_INTERVAL_MINUTES,
  };
}

export function sameDefinition(a: CollectionDefinition, b: CollectionDefinition): boolean {
  return canonicalJson(normaliseDefinition(a)) === canonicalJson(normaliseDefinition(b));
}
