import { sql, type RawBuilder } from 'kysely';
import { containsPattern } from './like.js';

/**
 * The pieces of a global-search query by name (ADR 0033), for the domain repositories: the
 * case-insensitive "contains" condition and the order that puts an exact name first, then
 * names starting with the text, then the rest.
 */
export function nameSearch(text: string): {
  matches: (column: string) => RawBuilder<boolean>;
  rank: (column: string) => RawBuilder<number>;
} {
  const pattern = containsPattern(text);
  const lowered = text.toLowerCase();
  const prefix = pattern.slice(1);
  return {
    matches: (column) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`,
    rank: (column) =>
      sql<number>`case when lower(${sql.ref(column)}) = ${lowered} then 0 when lower(${sql.ref(column)}) like ${prefix} escape '\\' then 1 else 2 end`,
  };
}

/** One named object global search found. */
export interface NamedHit {
  id: string;
  name: string;
  detail: string;
}
