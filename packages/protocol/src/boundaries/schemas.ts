import { type Static, Type } from '@sinclair/typebox';
import { Description, Id, Name } from '../common/schemas.js';
import { WEEK_MINUTES } from '../http/paging.js';

// ---- boundaries ----

export const BoundaryType = Type.Union([Type.Literal('subnet'), Type.Literal('range')]);
export type BoundaryType = Static<typeof BoundaryType>;

export const CreateBoundaryRequest = Type.Object(
  {
    name: Name,
    type: BoundaryType,
    /** subnet: `10.1.0.0/16` or an IPv6 prefix; range: `10.1.0.10-10.1.0.200`. */
    value: Type.String({ minLength: 3, maxLength: 100 }),
    boundaryGroupIds: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export type CreateBoundaryRequest = Static<typeof CreateBoundaryRequest>;
export const UpdateBoundaryRequest = Type.Partial(CreateBoundaryRequest, {
  additionalProperties: false,
});
export type UpdateBoundaryRequest = Static<typeof UpdateBoundaryRequest>;

export const Boundary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: BoundaryType,
  value: Type.String(),
  boundaryGroupIds: Type.Array(Type.String()),
});
export type Boundary = Static<typeof Boundary>;

export const BoundaryGroupNeighbour = Type.Object(
  {
    boundaryGroupId: Id,
    /** Clients try this neighbour's DPs after failing locally for this long (default 120). */
    fallbackAfterMinutes: Type.Integer({ minimum: 0, maximum: WEEK_MINUTES }),
  },
  { additionalProperties: false },
);
export type BoundaryGroupNeighbour = Static<typeof BoundaryGroupNeighbour>;

export const CreateBoundaryGroupRequest = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    /** Site code the group's clients are assigned to (this site when omitted). */
    siteCode: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
    dpIds: Type.Optional(Type.Array(Id, { maxItems: 10000 })),
    neighbours: Type.Optional(Type.Array(BoundaryGroupNeighbour, { maxItems: 1000 })),
    /** Slow or unreliable link: deployments may refuse to run over it. */
    slow: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateBoundaryGroupRequest = Static<typeof CreateBoundaryGroupRequest>;
export const UpdateBoundaryGroupRequest = Type.Partial(CreateBoundaryGroupRequest, {
  additionalProperties: false,
});
export type UpdateBoundaryGroupRequest = Static<typeof UpdateBoundaryGroupRequest>;

export const BoundaryGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  siteCode: Type.String(),
  dpIds: Type.Array(Type.String()),
  boundaryIds: Type.Array(Type.String()),
  neighbours: Type.Array(BoundaryGroupNeighbour),
  slow: Type.Boolean(),
});
export type BoundaryGroup = Static<typeof BoundaryGroup>;

/**
 * Where a client gets content, best first. `tier` says why a DP is in the list; `afterMinutes`
 * is how long the client must have failed with earlier entries before it may use this one.
 */
export const ContentLocation = Type.Object({
  dpId: Type.String(),
  name: Type.String(),
  url: Type.String(),
  tier: Type.Union([
    Type.Literal('local'),
    Type.Literal('neighbour'),
    Type.Literal('fallback'),
    Type.Literal('default'),
  ]),
  afterMinutes: Type.Integer(),
});
export type ContentLocation = Static<typeof ContentLocation>;

export const ContentLocations = Type.Object({
  packageVersionId: Type.String(),
  clientAddress: Type.String(),
  boundaryGroupIds: Type.Array(Type.String()),
  /** Any of the client's boundary groups is marked slow/unreliable. */
  slow: Type.Boolean(),
  locations: Type.Array(ContentLocation),
  /** Bearer token DPs accept for this device's downloads (signed by the site). */
  accessToken: Type.String(),
  accessTokenExpiresAt: Type.String(),
});
export type ContentLocations = Static<typeof ContentLocations>;

/** Admin troubleshooting: which boundary groups and DPs a client address would get. */
export const ResolveLocationQuery = Type.Object(
  { ip: Type.String({ minLength: 2, maxLength: 64 }), packageId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type ResolveLocationQuery = Static<typeof ResolveLocationQuery>;
