import { Type, type Static } from '@sinclair/typebox';
import { MAX_INT32, pagingFields, RowCursor } from '../../http/paging.js';
import { CompletionItem } from './completions.js';

// Request and response bodies of the query and collection endpoints that admin-api.ts does not
// define yet. They live beside the query language so the console and the CLI share them.

export const ValidateQueryRequest = Type.Object(
  { query: Type.String({ minLength: 1, maxLength: 20000 }) },
  { additionalProperties: false },
);
export type ValidateQueryRequest = Static<typeof ValidateQueryRequest>;

export const ValidateQueryResponse = Type.Object({ ok: Type.Literal(true) });
export type ValidateQueryResponse = Static<typeof ValidateQueryResponse>;

export const CompletionsQuery = Type.Object(
  { class: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
export type CompletionsQuery = Static<typeof CompletionsQuery>;

export const CompletionsResponse = Type.Array(CompletionItem);
export type CompletionsResponse = Static<typeof CompletionsResponse>;

export const CollectionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
export type CollectionParams = Static<typeof CollectionParams>;

export const CollectionRevisionParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  revision: Type.Integer({ minimum: 1, maximum: MAX_INT32 }),
});
export type CollectionRevisionParams = Static<typeof CollectionRevisionParams>;

export const CollectionMembersQuery = Type.Object(
  {
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type CollectionMembersQuery = Static<typeof CollectionMembersQuery>;

export const MembershipHistoryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    /** Changes older than this change id (paging backwards). */
    before: Type.Optional(RowCursor),
    /** Only changes of devices whose name contains this (case-insensitive). */
    device: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Only additions or only removals. */
    change: Type.Optional(Type.Union([Type.Literal('added'), Type.Literal('removed')])),
  },
  { additionalProperties: false },
);
export type MembershipHistoryQuery = Static<typeof MembershipHistoryQuery>;
