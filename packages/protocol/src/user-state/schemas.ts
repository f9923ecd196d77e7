import { type Static, Type } from '@sinclair/typebox';
import {
  booleanSetting,
  integerSetting,
  settingsProperties,
  settingsValueProperties,
  textSetting,
} from '../common/settings.js';
import { Sha256 } from '../common/schemas.js';

/**
 * A distribution point's state migration point role (issue 11, ADR 0096), declared once (ADR
 * 0016): the API, `steward dp smp set` flags and the console come from here. The DP process
 * gets them with its assignments and keeps encrypted user-state archives in its storage folder.
 */
export const DpStateMigrationOptions = {
  enabled: booleanSetting({
    label: 'State migration point',
    help: 'Store encrypted user-state captures of task sequences on this distribution point',
    default: false,
    flag: {
      kind: 'switch',
      name: 'smp',
      on: true,
      off: false,
      onHelp: 'store user-state captures here',
      offHelp: 'store no new user-state captures here',
    },
  }),
  storageFolder: textSetting({
    label: 'Storage folder',
    help: 'Absolute folder on the distribution point where the encrypted archives are kept',
    rule: 'An absolute path',
    maxLength: 500,
    pattern: '^/[^\\u0000]*$',
    default: '/var/lib/steward/smp',
    flag: { kind: 'value', name: 'folder', placeholder: '<path>' },
  }),
  maxClients: integerSetting({
    label: 'Maximum clients',
    help: 'Most user-state records (captured or being captured) the point keeps at once',
    unit: 'clients',
    minimum: 1,
    maximum: 100_000,
    default: 100,
    flag: { kind: 'value', name: 'max-clients', placeholder: '<n>' },
  }),
  retentionDays: integerSetting({
    label: 'Retention after restore',
    help: 'Days a restored record’s archive is kept before it is deleted and the record expires (0: at the next retention run)',
    unit: 'days',
    minimum: 0,
    maximum: 3650,
    default: 1,
    flag: { kind: 'value', name: 'retention-days', placeholder: '<days>' },
  }),
  minFreeMiB: integerSetting({
    label: 'Minimum free space',
    help: 'The point refuses a capture that would leave less free space than this in its folder',
    unit: 'MiB',
    minimum: 0,
    maximum: 10_000_000,
    default: 1024,
    flag: { kind: 'value', name: 'min-free', placeholder: '<MiB>' },
  }),
};

/** A DP's state migration point settings as the site keeps them. */
export const DpStateMigration = Type.Object({
  dpId: Type.String(),
  ...settingsValueProperties(DpStateMigrationOptions),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
export type DpStateMigration = Static<typeof DpStateMigration>;

/** PATCH: the fields given change. */
export const UpdateDpStateMigrationRequest = Type.Object(
  { ...settingsProperties(DpStateMigrationOptions) },
  { additionalProperties: false },
);
export type UpdateDpStateMigrationRequest = Static<typeof UpdateDpStateMigrationRequest>;

/** Records a DP keeps archives for at most (its assignments list every one it must keep). */
export const SMP_MAX_KEPT = 100_000;

/**
 * What the site sends a DP with its assignments: the settings and the records whose archives it
 * keeps; any other archive in the folder (expired, deleted) is deleted by the DP.
 */
export const DpStateMigrationAssigned = Type.Object({
  ...settingsValueProperties(DpStateMigrationOptions),
  keepRecordIds: Type.Array(Type.String({ pattern: '^[0-9a-f-]{36}$' }), {
    maxItems: SMP_MAX_KEPT,
  }),
});
export type DpStateMigrationAssigned = Static<typeof DpStateMigrationAssigned>;

export const UserStateRecordState = Type.Union([
  /** The run asked for a record and is uploading its archive. */
  Type.Literal('requested'),
  Type.Literal('captured'),
  Type.Literal('restored'),
  /** Its archive is deleted (retention after restore). */
  Type.Literal('expired'),
]);
export type UserStateRecordState = Static<typeof UserStateRecordState>;

/** Where a record's archive is kept (the task-sequence step's store). */
export const UserStateStore = Type.Literal('state-migration-point');
export type UserStateStore = Static<typeof UserStateStore>;

/** One user-state capture (issue 11): from its source computer, for its destination. */
export const UserStateRecord = Type.Object({
  id: Type.String(),
  sourceComputerId: Type.String(),
  sourceName: Type.String(),
  destinationComputerId: Type.String(),
  destinationName: Type.String(),
  state: UserStateRecordState,
  store: UserStateStore,
  dpId: Type.String(),
  dpName: Type.String(),
  sizeBytes: Type.Union([Type.Integer(), Type.Null()]),
  sha256: Type.Union([Sha256, Type.Null()]),
  createdAt: Type.String(),
  capturedAt: Type.Union([Type.String(), Type.Null()]),
  restoredAt: Type.Union([Type.String(), Type.Null()]),
  expiredAt: Type.Union([Type.String(), Type.Null()]),
});
export type UserStateRecord = Static<typeof UserStateRecord>;

export const UserStateListQuery = Type.Object(
  {
    state: Type.Optional(UserStateRecordState),
    /** Records whose source or destination is this computer (id). */
    computer: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type UserStateListQuery = Static<typeof UserStateListQuery>;

/** What a computer id names: a device, an imported computer or an unknown computer. */
export const ComputerKind = Type.Union([
  Type.Literal('device'),
  Type.Literal('imported'),
  Type.Literal('unknown'),
]);
export type ComputerKind = Static<typeof ComputerKind>;

/**
 * A computer association (the replace scenario): the state captured on the source computer is
 * restored on the destination computer.
 */
export const ComputerAssociation = Type.Object({
  id: Type.String(),
  sourceComputerId: Type.String(),
  sourceKind: ComputerKind,
  sourceName: Type.String(),
  destinationComputerId: Type.String(),
  destinationKind: ComputerKind,
  destinationName: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String(),
});
export type ComputerAssociation = Static<typeof ComputerAssociation>;

export const CreateComputerAssociationRequest = Type.Object(
  {
    /** A device (id or name), an imported computer or an unknown computer (id or name). */
    source: Type.String({ minLength: 1, maxLength: 300 }),
    destination: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false },
);
export type CreateComputerAssociationRequest = Static<typeof CreateComputerAssociationRequest>;

// ---- the run's side (boot environment, with its token's `user-state` grant) ----

/** The content-access grant a run's token carries to keep and fetch user state. */
export const USER_STATE_GRANT = 'user-state';
/** Largest encrypted archive one capture may upload to a state migration point. */
export const USER_STATE_MAX_BYTES = 64 * 1024 ** 3;

/**
 * Where a run puts or gets one record's archive: the state migration point's URL and a token
 * for that record only, and the record's key (AES-256-GCM, base64), which only the run gets:
 * the point stores ciphertext it cannot read.
 */
export const UserStateTransfer = Type.Object({
  recordId: Type.String(),
  key: Type.String({ minLength: 44, maxLength: 44 }),
  dpId: Type.String(),
  url: Type.String(),
  token: Type.String(),
  /** Restore: the archive's size and SHA-256 (of the ciphertext) as captured. */
  sizeBytes: Type.Union([Type.Integer(), Type.Null()]),
  sha256: Type.Union([Sha256, Type.Null()]),
});
export type UserStateTransfer = Static<typeof UserStateTransfer>;

export const UserStateCapturedRequest = Type.Object(
  { sizeBytes: Type.Integer({ minimum: 0 }), sha256: Sha256 },
  { additionalProperties: false },
);
export type UserStateCapturedRequest = Static<typeof UserStateCapturedRequest>;

export const RecordIdParams = Type.Object(
  { id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) },
  { additionalProperties: false },
);

/** What a state migration point answers for a stored archive. */
export const StoredUserState = Type.Object({ sizeBytes: Type.Integer(), sha256: Sha256 });
export type StoredUserState = Static<typeof StoredUserState>;
