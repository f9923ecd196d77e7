import { type Static, Type } from '@sinclair/typebox';
import { defineOperations } from '../http/operation.js';

/** The kinds of object global search finds (ADR 0033), in the order the console groups them. */
export const SEARCH_KINDS = [
  'device',
  'collection',
  'package',
  'program',
  'deployment',
  'update',
  'custom-update',
  'cve',
  'advisory',
  'update-group',
  'update-deployment',
  'update-rule',
  'task-sequence',
  'task-sequence-deployment',
  'os-image',
  'boot-image',
  'user',
  'distribution-point',
] as const;
export const SearchKind = Type.Union(SEARCH_KINDS.map((k) => Type.Literal(k)));
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** Matches per kind: the default and the most a caller may ask for. */
export const SEARCH_DEFAULT_PER_KIND = 5;
export const SEARCH_MAX_PER_KIND = 20;

export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200 }),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: SEARCH_MAX_PER_KIND, default: SEARCH_DEFAULT_PER_KIND }),
    ),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

export const SearchHit = Type.Object({
  kind: SearchKind,
  id: Type.String(),
  name: Type.String(),
  /** What else identifies it, or what matched when it was not the name (`serial ABC123`). */
  detail: Type.String(),
  /** A program's package (its page is the package's). */
  packageId: Type.Optional(Type.String()),
});
export type SearchHit = Static<typeof SearchHit>;

export const SearchResult = Type.Object({
  /** Grouped by kind (in `SEARCH_KINDS` order), best matches first within a kind. */
  hits: Type.Array(SearchHit),
  /** Kinds left out because the caller may not read them (users without `users:write`). */
  hiddenKinds: Type.Array(SearchKind),
});
export type SearchResult = Static<typeof SearchResult>;

/** Global search: the console header's search box and `steward search`. */
export const searchOperations = defineOperations({
  search: {
    method: 'GET',
    path: '/search',
    query: SearchQuery,
    responses: { 200: SearchResult },
    permission: 'read',
    errors: [],
    summary:
      'Finds devices (name, address, serial, user), collections, packages, programs, deployments, software updates (package, CVE, advisory), custom updates, CVEs, update groups, update deployments, automatic deployment rules, task sequences and their deployments, OS images, boot images, users and DPs',
    tags: ['search'],
  },
});
