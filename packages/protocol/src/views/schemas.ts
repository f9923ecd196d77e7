import { type Static, Type } from '@sinclair/typebox';
import { DeviceListSort, MAX_DEVICE_COLUMNS } from '../devices/columns.js';

/** Which list a saved view is of (only the device list has views so far). */
export const ViewList = Type.Union([Type.Literal('devices')]);
export type ViewList = Static<typeof ViewList>;

/** Row height of a list: compact rows show more devices on one screen. */
export const ViewDensity = Type.Union([Type.Literal('comfortable'), Type.Literal('compact')]);
export type ViewDensity = Static<typeof ViewDensity>;

export const ViewStatusFilter = Type.Union([
  Type.Literal('active'),
  Type.Literal('inactive'),
  Type.Literal('revoked'),
  Type.Literal('online'),
  Type.Literal('obsolete'),
]);

/**
 * What a view restores (ADR 0034): the filter, the columns in their order, the sort and the
 * density. The same fields travel in a share link's address.
 */
export const ViewState = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(ViewStatusFilter),
    /** A collection's id: members only. */
    collection: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    sort: Type.Optional(DeviceListSort),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    /** Column ids of the catalogue (`DEVICE_COLUMNS`, `inventory.<class>.<property>`), in order. */
    columns: Type.Array(Type.String({ minLength: 1, maxLength: 140 }), {
      minItems: 1,
      maxItems: MAX_DEVICE_COLUMNS,
    }),
    density: Type.Optional(ViewDensity),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type ViewState = Static<typeof ViewState>;

export const ViewName = Type.String({ minLength: 1, maxLength: 100 });

export const SavedView = Type.Object({
  id: Type.String(),
  list: ViewList,
  name: Type.String(),
  /** The user who saved it; only they may change or delete it. */
  owner: Type.String(),
  /** Visible to every user of the site (read only for all but the owner). */
  shared: Type.Boolean(),
  /** The caller's default view of this list. */
  isDefault: Type.Boolean(),
  state: ViewState,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type SavedView = Static<typeof SavedView>;

export const ListViewsQuery = Type.Object(
  { list: Type.Optional(ViewList) },
  { additionalProperties: false },
);
export type ListViewsQuery = Static<typeof ListViewsQuery>;

export const CreateViewRequest = Type.Object(
  {
    list: Type.Optional(ViewList),
    name: ViewName,
    shared: Type.Optional(Type.Boolean()),
    state: ViewState,
  },
  { additionalProperties: false },
);
export type CreateViewRequest = Static<typeof CreateViewRequest>;

export const UpdateViewRequest = Type.Object(
  {
    name: Type.Optional(ViewName),
    shared: Type.Optional(Type.Boolean()),
    state: Type.Optional(ViewState),
  },
  { additionalProperties: false },
);
export type UpdateViewRequest = Static<typeof UpdateViewRequest>;
