import { type Static, Type } from '@sinclair/typebox';
import { NudgeAction } from '../agent/protocol.js';
import { Id, Name, Nullable } from '../common/schemas.js';
import { DeviceSummary } from '../devices/schemas.js';
import { WEEK_MINUTES } from '../http/paging.js';

/** Client notification to every member of a collection ("fetch policy now" for a whole estate). */
export const CollectionActionResult = Type.Object({
  collectionId: Type.String(),
  action: NudgeAction,
  requestedAt: Type.String(),
  /** Members that got a request (revoked devices are never members). */
  devices: Type.Integer(),
  /** Of those, how many held a push connection when it was sent; the others get it when they reconnect. */
  connected: Type.Integer(),
});
export type CollectionActionResult = Static<typeof CollectionActionResult>;

// ---- queries and collections ----

export const QueryError = Type.Object({
  message: Type.String(),
  /** 0-based offset into the query text, and its length. */
  position: Type.Integer(),
  length: Type.Integer(),
  line: Type.Integer(),
  column: Type.Integer(),
});
export type QueryError = Static<typeof QueryError>;

export const CollectionRule = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('query'),
      name: Type.Optional(Type.String({ maxLength: 200 })),
      query: Type.String({ minLength: 1, maxLength: 20000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('direct'), deviceId: Id }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('include'), collectionId: Id }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('exclude'), collectionId: Id }, { additionalProperties: false }),
]);
export type CollectionRule = Static<typeof CollectionRule>;

export const CollectionDefinition = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    limitingCollectionId: Type.Optional(Nullable(Id)),
    rules: Type.Array(CollectionRule, { maxItems: 10000 }),
    /** Minutes between scheduled full evaluations; default 60. */
    evaluationIntervalMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: WEEK_MINUTES })),
  },
  { additionalProperties: false },
);
export type CollectionDefinition = Static<typeof CollectionDefinition>;

export const Collection = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  builtin: Type.Boolean(),
  limitingCollectionId: Nullable(Type.String()),
  rules: Type.Array(CollectionRule),
  evaluationIntervalMinutes: Type.Integer(),
  memberCount: Type.Integer(),
  lastEvaluatedAt: Nullable(Type.String()),
  revision: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Collection = Static<typeof Collection>;

export const CollectionPreviewRequest = Type.Object(
  {
    limitingCollectionId: Type.Optional(Nullable(Id)),
    rules: Type.Array(CollectionRule, { maxItems: 10000 }),
  },
  { additionalProperties: false },
);
export type CollectionPreviewRequest = Static<typeof CollectionPreviewRequest>;
export const CollectionPreview = Type.Object({
  count: Type.Integer(),
  sample: Type.Array(DeviceSummary),
});
export type CollectionPreview = Static<typeof CollectionPreview>;

export const MembershipChange = Type.Object({
  id: Type.String(),
  at: Type.String(),
  deviceId: Type.String(),
  deviceName: Type.String(),
  change: Type.Union([Type.Literal('added'), Type.Literal('removed')]),
  revision: Type.Integer(),
});
export type MembershipChange = Static<typeof MembershipChange>;

export const CollectionRevision = Type.Object({
  revision: Type.Integer(),
  at: Type.String(),
  by: Type.String(),
  definition: CollectionDefinition,
});
export type CollectionRevision = Static<typeof CollectionRevision>;
