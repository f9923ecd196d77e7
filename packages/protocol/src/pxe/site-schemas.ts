import { type Static, Type } from '@sinclair/typebox';
import { settingsProperties, settingsValueProperties } from '../common/settings.js';
import { DpPxeSettingsOptions, Ipv4 } from './schemas.js';

/**
 * A DP's PXE settings as the site keeps them (issue 11, ADR 0079): the declared options
 * (ADR 0016), the address the DP answers as, the boundary groups whose clients it answers, and
 * whether a PXE password is set (the password itself is never read back).
 */
export const DpPxe = Type.Object({
  dpId: Type.String(),
  ...settingsValueProperties(DpPxeSettingsOptions),
  /** The DP's IPv4 address on the PXE network; null: the DP's own pxe.json says. */
  serverAddress: Type.Union([Ipv4, Type.Null()]),
  /** Answer only clients in these groups' boundaries; empty: every client that asks. */
  boundaryGroupIds: Type.Array(Type.String()),
  passwordSet: Type.Boolean(),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
export type DpPxe = Static<typeof DpPxe>;

/** The PXE password's limits (iPXE reads it at its `login` prompt). */
export const PXE_PASSWORD_LIMITS = { minLength: 4, maxLength: 128 } as const;

/** PATCH: the fields given change; lists given replace; `password: null` removes the password. */
export const UpdateDpPxeRequest = Type.Object(
  {
    ...settingsProperties(DpPxeSettingsOptions),
    serverAddress: Type.Optional(Type.Union([Ipv4, Type.Null()])),
    boundaryGroupIds: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 }),
    ),
    password: Type.Optional(Type.Union([Type.String(PXE_PASSWORD_LIMITS), Type.Null()])),
  },
  { additionalProperties: false },
);
export type UpdateDpPxeRequest = Static<typeof UpdateDpPxeRequest>;

/** One address range a DP's PXE answers for, as 32-hex address keys (IPv4 mapped into IPv6). */
export const PxeAddressRange = Type.Object({ startKey: Type.String(), endKey: Type.String() });
export type PxeAddressRange = Static<typeof PxeAddressRange>;

/**
 * What the site sends a DP with its assignments: the settings, the boundaries' ranges (null:
 * answer everyone) and the password's scrypt hash (null: no password).
 */
export const DpPxeAssigned = Type.Object({
  ...settingsValueProperties(DpPxeSettingsOptions),
  serverAddress: Type.Union([Ipv4, Type.Null()]),
  ranges: Type.Union([Type.Array(PxeAddressRange), Type.Null()]),
  passwordHash: Type.Union([Type.String(), Type.Null()]),
});
export type DpPxeAssigned = Static<typeof DpPxeAssigned>;

export const PxeStage = Type.Union([
  Type.Literal('dhcp'),
  Type.Literal('proxy'),
  Type.Literal('tftp'),
  Type.Literal('script'),
  Type.Literal('boot-file'),
]);

/** One PXE request a DP saw and what it did with it. */
export const PxeActivityEntry = Type.Object(
  {
    at: Type.String({ maxLength: 40 }),
    stage: PxeStage,
    /** The MAC (lower-case, colons), or the client's address where a stage has no MAC. */
    client: Type.String({ maxLength: 64 }),
    uuid: Type.Optional(Type.String({ maxLength: 36 })),
    firmware: Type.Optional(Type.String({ maxLength: 32 })),
    address: Type.Optional(Type.String({ maxLength: 64 })),
    answered: Type.Boolean(),
    detail: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type PxeActivityEntry = Static<typeof PxeActivityEntry>;

/** What a DP sends: its newest requests since the last report (bounded per report). */
export const DpPxeActivityReport = Type.Object(
  { entries: Type.Array(PxeActivityEntry, { maxItems: 500 }) },
  { additionalProperties: false },
);
export type DpPxeActivityReport = Static<typeof DpPxeActivityReport>;

/** The site's view: one DP's recent PXE requests, newest first. */
export const DpPxeActivity = Type.Object({
  dpId: Type.String(),
  items: Type.Array(Type.Composite([PxeActivityEntry, Type.Object({ dpId: Type.String() })])),
});
export type DpPxeActivity = Static<typeof DpPxeActivity>;

export const DpPxeActivityQuery = Type.Object(
  {
    /** Only this machine (its MAC, any separator). */
    mac: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{2}([:-]?[0-9a-fA-F]{2}){5}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
export type DpPxeActivityQuery = Static<typeof DpPxeActivityQuery>;
