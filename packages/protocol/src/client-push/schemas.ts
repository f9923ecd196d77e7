import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../common/schemas.js';
import { booleanSetting, integerSetting, settingsValueProperties } from '../common/settings.js';

/**
 * Client push (issue 9): the site installs the agent on machines over SSH, with a stored push
 * account, and counts a target done only once the new agent has enrolled and reported inventory.
 */

/** How the installer starts the agent on the target (install-agent.sh `--service`). */
export const PushServiceMode = Type.Union([
  /** The target must run systemd; the agent becomes a systemd unit (the default). */
  Type.Literal('systemd'),
  /** systemd when the target runs it, else a detached process. */
  Type.Literal('auto'),
  /** Never systemd: a detached process with a pid file (containers, test hosts). */
  Type.Literal('none'),
]);
export type PushServiceMode = Static<typeof PushServiceMode>;

export const PushAuthKind = Type.Union([Type.Literal('key'), Type.Literal('password')]);
export type PushAuthKind = Static<typeof PushAuthKind>;

const AccountName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._ -]*$',
});
const UserName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9._][A-Za-z0-9._-]*$',
});

/** A push account as the API shows it: never its key, passphrase or password. */
export const PushAccount = Type.Object({
  id: Type.String(),
  name: Type.String(),
  user: Type.String(),
  authKind: PushAuthKind,
  /** Whether a key passphrase is stored (its value never leaves the site). */
  hasPassphrase: Type.Boolean(),
  serviceMode: PushServiceMode,
  createdAt: Type.String(),
  createdBy: Type.String(),
});
export type PushAccount = Static<typeof PushAccount>;

export const CreatePushAccountRequest = Type.Object(
  {
    name: AccountName,
    user: UserName,
    /** An OpenSSH or PEM private key; give it or `password`, not both. */
    privateKey: Type.Optional(Type.String({ minLength: 1, maxLength: 32_000 })),
    passphrase: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    serviceMode: Type.Optional(PushServiceMode),
  },
  { additionalProperties: false },
);
export type CreatePushAccountRequest = Static<typeof CreatePushAccountRequest>;

/** A host and port: `host`, `host:port`, `[v6]:port`. */
export const PushHost = Type.String({ minLength: 1, maxLength: 300 });

export const TestPushAccountRequest = Type.Object(
  { host: PushHost },
  { additionalProperties: false },
);
export type TestPushAccountRequest = Static<typeof TestPushAccountRequest>;

export const TestPushAccountResult = Type.Object({
  ok: Type.Boolean(),
  errorCode: Nullable(Type.String()),
  message: Type.String(),
  log: Type.Array(Type.String()),
});
export type TestPushAccountResult = Static<typeof TestPushAccountResult>;

/** The states of one push target (the client push "ccm" states). */
export const PushTargetState = Type.Union([
  Type.Literal('queued'),
  Type.Literal('connecting'),
  Type.Literal('checking'),
  Type.Literal('copying'),
  Type.Literal('installing'),
  Type.Literal('waiting-for-enrolment'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('retry-scheduled'),
  Type.Literal('skipped-already-client'),
]);
export type PushTargetState = Static<typeof PushTargetState>;

/** States a target is in while an attempt runs. */
export const ACTIVE_PUSH_STATES: readonly PushTargetState[] = [
  'connecting',
  'checking',
  'copying',
  'installing',
  'waiting-for-enrolment',
];

export const PushTarget = Type.Object({
  id: Type.String(),
  jobId: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  state: PushTargetState,
  attempts: Type.Integer(),
  lastErrorCode: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  /** Why a target was skipped, or what it is waiting for. */
  reason: Nullable(Type.String()),
  nextAttemptAt: Nullable(Type.String()),
  deviceId: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type PushTarget = Static<typeof PushTarget>;

export const PushAttemptOutcome = Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]);
export type PushAttemptOutcome = Static<typeof PushAttemptOutcome>;

export const PushAttempt = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  outcome: Nullable(PushAttemptOutcome),
  errorCode: Nullable(Type.String()),
  /** Timestamped lines (the ccm.log analog). */
  log: Type.Array(Type.String()),
});
export type PushAttempt = Static<typeof PushAttempt>;

export const PushTargetDetail = Type.Composite([
  PushTarget,
  Type.Object({ attemptLog: Type.Array(PushAttempt) }),
]);
export type PushTargetDetail = Static<typeof PushTargetDetail>;

export const PushJobSource = Type.Union([
  Type.Literal('hosts'),
  Type.Literal('collection'),
  /** Machines network discovery found, chosen by address or by a filter. */
  Type.Literal('discovered'),
  /** Automatic site-wide push: discovered machines in the boundaries with no agent. */
  Type.Literal('automatic'),
]);
export type PushJobSource = Static<typeof PushJobSource>;

export const PushJobCounts = Type.Record(Type.String(), Type.Integer());

export const PushJob = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  accountName: Type.String(),
  source: PushJobSource,
  collectionId: Nullable(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  /** Targets per state. */
  counts: PushJobCounts,
  total: Type.Integer(),
});
export type PushJob = Static<typeof PushJob>;

export const PushJobDetail = Type.Composite([
  PushJob,
  Type.Object({ targets: Type.Array(PushTarget) }),
]);
export type PushJobDetail = Static<typeof PushJobDetail>;

/** Which discovered machines a push targets: `addresses`, or `search` (empty: all) among those with no agent. */
export const PushDiscoveredSelection = Type.Object(
  {
    addresses: Type.Optional(
      Type.Array(Type.String({ minLength: 7, maxLength: 15, pattern: '^[0-9.]+$' }), {
        minItems: 1,
        maxItems: 5000,
      }),
    ),
    /** As the discovered-machines list's search: address, DNS name, MAC or OS guess contains it. */
    search: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type PushDiscoveredSelection = Static<typeof PushDiscoveredSelection>;

export const StartPushRequest = Type.Object(
  {
    /** A push account by id or name. */
    account: Type.String({ minLength: 1, maxLength: 100 }),
    hosts: Type.Optional(Type.Array(PushHost, { minItems: 1, maxItems: 5000 })),
    /**
     * A collection by id or name: its devices' names are the targets, and its discovered
     * members' addresses (machines with no agent, ADR 0030).
     */
    collection: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    /** Discovered machines (SSH on port 22): by address, or every one with no agent matching a search. */
    discovered: Type.Optional(PushDiscoveredSelection),
  },
  { additionalProperties: false },
);
export type StartPushRequest = Static<typeof StartPushRequest>;

export const PushHostKey = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  keyType: Type.String(),
  /** `SHA256:<base64>` as ssh-keygen -l prints it. */
  fingerprint: Type.String(),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
  /** A different key was offered and refused; null while the host offers the recorded one. */
  refusedFingerprint: Nullable(Type.String()),
});
export type PushHostKey = Static<typeof PushHostKey>;

/**
 * Client push settings, declared once (ADR 0016): site-wide, stored as one site setting; the
 * `steward push settings` flags and the console's form come from this declaration.
 */
export const ClientPushSettingsOptions = {
  maxConcurrentSessions: integerSetting({
    label: 'Concurrent SSH sessions',
    help: 'SSH sessions open at once across the site (a target waiting for its agent to enrol holds none)',
    unit: 'sessions',
    minimum: 1,
    maximum: 200,
    default: 10,
    flag: { kind: 'value', name: 'max-concurrent-sessions', placeholder: '<n>' },
  }),
  retryIntervalMinutes: integerSetting({
    label: 'Retry interval',
    help: 'Minutes between attempts at a target that failed or could not be reached',
    unit: 'minutes',
    minimum: 1,
    maximum: 10_080,
    default: 60,
    flag: { kind: 'value', name: 'retry-interval-minutes', placeholder: '<minutes>' },
  }),
  retryForDays: integerSetting({
    label: 'Retry for',
    help: 'Days after the first attempt during which a failed target is retried',
    unit: 'days',
    minimum: 0,
    maximum: 90,
    default: 7,
    flag: { kind: 'value', name: 'retry-for-days', placeholder: '<days>' },
  }),
  minFreeDiskMb: integerSetting({
    label: 'Minimum free disk',
    help: 'Free space the install prefix needs on the target before the agent is copied',
    unit: 'MB',
    minimum: 1,
    maximum: 100_000,
    default: 200,
    flag: { kind: 'value', name: 'min-free-disk-mb', placeholder: '<MB>' },
  }),
  connectTimeoutSeconds: integerSetting({
    label: 'Connect timeout',
    help: 'Seconds to wait for the SSH connection and its authentication',
    unit: 'seconds',
    minimum: 1,
    maximum: 300,
    default: 20,
    flag: { kind: 'value', name: 'connect-timeout-seconds', placeholder: '<seconds>' },
  }),
  automaticPush: booleanSetting({
    label: 'Automatic site-wide push',
    help: "Push the agent to every discovered machine in the site's boundaries that has no agent (after each sweep and every hour), with the automatic push account",
    default: false,
    flag: {
      kind: 'switch',
      name: 'automatic-push',
      on: true,
      off: false,
      onHelp: "push to discovered machines in the site's boundaries that have no agent",
      offHelp: 'no automatic push (pushes are started by hand)',
    },
  }),
  enrolmentTimeoutSeconds: integerSetting({
    label: 'Enrolment timeout',
    help: 'Seconds to wait, after the install, for the agent to enrol and report its inventory',
    unit: 'seconds',
    minimum: 10,
    maximum: 3600,
    default: 300,
    flag: { kind: 'value', name: 'enrolment-timeout-seconds', placeholder: '<seconds>' },
  }),
};

export const ClientPushSettings = Type.Object(
  {
    ...settingsValueProperties(ClientPushSettingsOptions),
    /**
     * The push account automatic site-wide push uses (id; a name is accepted on change). A
     * reference, not a value with limits, so it is not in the declaration: `steward push
     * settings set --automatic-push-account` and the settings page's account picker set it.
     */
    automaticPushAccountId: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type ClientPushSettings = Static<typeof ClientPushSettings>;
