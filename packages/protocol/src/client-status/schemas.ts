import { type Static, Type } from '@sinclair/typebox';
import { ClientRollout } from '../agent-versions/schemas.js';
import { Nullable } from '../common/schemas.js';
import { pagingFields } from '../http/paging.js';

/**
 * Client deployment status (Monitoring > Client status, issue 9). The six states of
 * `docs/client-deployment.md`, in the order a dashboard lists them. Append only: reports and
 * stored links name them.
 */
export const ClientDeploymentState = Type.Union([
  Type.Literal('not-started'),
  Type.Literal('in-progress'),
  Type.Literal('compliant'),
  Type.Literal('noncompliant'),
  Type.Literal('failed'),
  Type.Literal('unknown'),
]);
export type ClientDeploymentState = Static<typeof ClientDeploymentState>;
export const CLIENT_DEPLOYMENT_STATES: readonly ClientDeploymentState[] =
  ClientDeploymentState.anyOf.map((l) => l.const);

const CollectionRef = Type.String({ minLength: 1, maxLength: 300 });

/** Which dashboard: a rollout, scoped to a collection (id or name; All Systems by default). */
export const ClientStatusQuery = Type.Object(
  {
    rollout: Type.Optional(ClientRollout),
    collection: Type.Optional(CollectionRef),
  },
  { additionalProperties: false },
);
export type ClientStatusQuery = Static<typeof ClientStatusQuery>;

/** Counts per state, every state present (zero when none). */
export const ClientStateCounts = Type.Object({
  'not-started': Type.Integer(),
  'in-progress': Type.Integer(),
  compliant: Type.Integer(),
  noncompliant: Type.Integer(),
  failed: Type.Integer(),
  unknown: Type.Integer(),
});
export type ClientStateCounts = Static<typeof ClientStateCounts>;

/** One dashboard's head: the rollout's version and the devices of the scope per state. */
export const ClientStatusSummary = Type.Object({
  rollout: ClientRollout,
  collectionId: Type.String(),
  collectionName: Type.String(),
  /** The rollout's version; null when none is set (every device then reads Not started). */
  expectedVersion: Nullable(Type.String()),
  /** When the rollout's version last changed (the start of its upgrade window). */
  expectedSince: Nullable(Type.String()),
  upgradeWindowHours: Type.Integer(),
  /** Devices of the scope that follow this rollout. */
  total: Type.Integer(),
  counts: ClientStateCounts,
  /** A client push is running: a dashboard refreshes quickly while it is. */
  pushRunning: Type.Boolean(),
  computedAt: Type.String(),
});
export type ClientStatusSummary = Static<typeof ClientStatusSummary>;

/** The attempt that decided Failed or In progress, or the latest one: where its log is. */
export const ClientInstallAttemptRef = Type.Object({
  kind: Type.Union([Type.Literal('push'), Type.Literal('upgrade')]),
  /** Push: the push target id (its attempts carry the log). Upgrade: the agent's attempt id. */
  id: Type.String(),
  version: Nullable(Type.String()),
  outcome: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  /** The push error code, or the upgrade's error code. */
  errorCode: Nullable(Type.String()),
  /** The push attempt's log lines, or the upgrade's reason (the agent's words). */
  log: Type.Array(Type.String()),
});
export type ClientInstallAttemptRef = Static<typeof ClientInstallAttemptRef>;

export const ClientStatusDevice = Type.Object({
  deviceId: Type.String(),
  name: Type.String(),
  state: ClientDeploymentState,
  reason: Type.String(),
  agentVersion: Nullable(Type.String()),
  lastContactAt: Nullable(Type.String()),
  /** The latest install or upgrade attempt of this device, if any. */
  attempt: Nullable(ClientInstallAttemptRef),
});
export type ClientStatusDevice = Static<typeof ClientStatusDevice>;

export const ClientStatusDevicesQuery = Type.Object(
  {
    rollout: Type.Optional(ClientRollout),
    collection: Type.Optional(CollectionRef),
    state: Type.Optional(ClientDeploymentState),
    ...pagingFields({ maxLimit: 1000, defaultLimit: 50 }),
  },
  { additionalProperties: false },
);
export type ClientStatusDevicesQuery = Static<typeof ClientStatusDevicesQuery>;

export const ClientStatusDevicePage = Type.Object({
  items: Type.Array(ClientStatusDevice),
  total: Type.Integer(),
});
export type ClientStatusDevicePage = Static<typeof ClientStatusDevicePage>;

/** Bucket size of the failure chart. */
export const FailurePeriod = Type.Union([
  Type.Literal('day'),
  Type.Literal('week'),
  Type.Literal('month'),
]);
export type FailurePeriod = Static<typeof FailurePeriod>;

export const ClientFailuresQuery = Type.Object(
  {
    period: Type.Optional(FailurePeriod),
    /** How many buckets back from now (the current one included). */
    buckets: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
  },
  { additionalProperties: false },
);
export type ClientFailuresQuery = Static<typeof ClientFailuresQuery>;

/** A failure reason: a push error code (PUSH_...) or an upgrade failure's code. */
export const FailureReasonCount = Type.Object({
  kind: Type.Union([Type.Literal('push'), Type.Literal('upgrade')]),
  code: Type.String(),
  count: Type.Integer(),
});
export type FailureReasonCount = Static<typeof FailureReasonCount>;

export const ClientFailureBucket = Type.Object({
  /** Start of the bucket (UTC midnight; weeks start on Monday; months on the 1st). */
  start: Type.String(),
  push: Type.Integer(),
  upgrade: Type.Integer(),
  /** Pushes that succeeded in the bucket: with `push`, the push success rate. */
  pushSucceeded: Type.Integer(),
  reasons: Type.Array(FailureReasonCount),
});
export type ClientFailureBucket = Static<typeof ClientFailureBucket>;

export const ClientFailureChart = Type.Object({
  period: FailurePeriod,
  from: Type.String(),
  to: Type.String(),
  buckets: Type.Array(ClientFailureBucket),
  /** Totals over the whole range, most frequent first. */
  reasons: Type.Array(FailureReasonCount),
});
export type ClientFailureChart = Static<typeof ClientFailureChart>;

/** Report: client deployment status by collection (one row per collection). */
export const ClientStatusByCollectionRow = Type.Object({
  collectionId: Type.String(),
  collectionName: Type.String(),
  total: Type.Integer(),
  counts: ClientStateCounts,
  /** Compliant share of the total, 0..100 (100 when the collection has no device). */
  compliantPercent: Type.Number(),
});
export type ClientStatusByCollectionRow = Static<typeof ClientStatusByCollectionRow>;

export const ClientFailureReportQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  },
  { additionalProperties: false },
);
export type ClientFailureReportQuery = Static<typeof ClientFailureReportQuery>;

/** Report: one failed client deployment (a push attempt or an agent upgrade). */
export const ClientFailureRow = Type.Object({
  at: Type.String(),
  kind: Type.Union([Type.Literal('push'), Type.Literal('upgrade')]),
  /** The push target's host, or the device name. */
  target: Type.String(),
  deviceId: Nullable(Type.String()),
  version: Nullable(Type.String()),
  code: Type.String(),
  reason: Type.String(),
  /** Push: the push target id; upgrade: the agent's attempt id. */
  attemptRef: Type.String(),
});
export type ClientFailureRow = Static<typeof ClientFailureRow>;
