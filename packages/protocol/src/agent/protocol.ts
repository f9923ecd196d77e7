import { type Static, Type } from '@sinclair/typebox';
import { MAX_INT32, MAX_INTERVAL_SECONDS } from '../http/paging.js';
import { CustomClassDefinition, InventoryReportBody } from '../inventory/schemas.js';
import { StatusMessageBody } from '../status/catalog.js';
import { DeploymentStateReport } from './software.js';

/** Header carrying `<deviceId>.<deviceKey>` on every agent request after enrolment. */
export const DEVICE_AUTH_HEADER = 'x-steward-device';

/** Client settings delivered in policy. */
export const ClientSettings = Type.Object({
  policyIntervalSeconds: Type.Integer({ minimum: 30, maximum: MAX_INTERVAL_SECONDS }),
  heartbeatIntervalSeconds: Type.Integer({ minimum: 10, maximum: MAX_INTERVAL_SECONDS }),
  inventoryIntervalSeconds: Type.Integer({ minimum: 60, maximum: MAX_INTERVAL_SECONDS }),
  softwareScanIntervalSeconds: Type.Integer({ minimum: 60, maximum: MAX_INTERVAL_SECONDS }),
  softwareScanPaths: Type.Array(Type.String()),
  reportBatchSize: Type.Integer({ minimum: 1, maximum: 5000 }),
  /** Download throttle for content, KiB/s; 0 = unlimited. (Optional: policies before issue 3.) */
  contentDownloadKbps: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  /** Bound of the agent's content cache, MiB. */
  contentCacheMb: Type.Optional(Type.Integer({ minimum: 100, maximum: 10_000_000 })),
});
export type ClientSettings = Static<typeof ClientSettings>;

export const PolicyDocument = Type.Object({
  /** Increases whenever anything in the policy changes. */
  version: Type.Integer(),
  issuedAt: Type.String(),
  siteCode: Type.String(),
  settings: ClientSettings,
  inventoryClasses: Type.Array(CustomClassDefinition),
});
export type PolicyDocument = Static<typeof PolicyDocument>;

/** `payload` is the canonical JSON of a PolicyDocument; `signature` is Ed25519 over its UTF-8 bytes, base64. */
export const SignedPolicy = Type.Object({
  payload: Type.String(),
  signature: Type.String(),
});
export type SignedPolicy = Static<typeof SignedPolicy>;

/**
 * An outbox sequence number: a whole number within 2^53, so it is exact in JSON, in JavaScript
 * and in both dialects' bigint columns (never stored as floating point).
 */
export const ReportSeq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** One outbox item. `seq` is per device, strictly increasing; ingestion is idempotent on it. */
export const OutboxItem = Type.Union([
  Type.Object(
    {
      seq: ReportSeq,
      type: Type.Literal('status:message'),
      body: StatusMessageBody,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      seq: ReportSeq,
      type: Type.Literal('inventory:report'),
      body: InventoryReportBody,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      seq: ReportSeq,
      type: Type.Literal('deployment:state'),
      body: DeploymentStateReport,
    },
    { additionalProperties: false },
  ),
]);
export type OutboxItem = Static<typeof OutboxItem>;

/**
 * The report route checks only this envelope: each item is validated on its own by the site
 * (ADR 0004), so one item that can never be stored is refused alone (`ReportAck.rejected`)
 * instead of failing the batch at every retry and blocking the device's outbox. Text is not
 * refused here either (`allowUnsafeText`): a machine's own data is cleaned at ingest.
 */
export const ReportBatch = Type.Object(
  {
    items: Type.Array(Type.Object({ seq: Type.Integer(), type: Type.String({ maxLength: 64 }) }), {
      minItems: 1,
      maxItems: 5000,
    }),
  },
  { additionalProperties: false, allowUnsafeText: true },
);
export type ReportBatch = Static<typeof ReportBatch>;

/** A report item the site refused and will never store; the agent sets it aside (dead letter). */
export const RejectedReportItem = Type.Object({
  /** As sent (it may be the out-of-range number that got it refused). */
  seq: Type.Number(),
  /** A stable `ErrorCode`. */
  code: Type.String(),
  message: Type.String(),
});
export type RejectedReportItem = Static<typeof RejectedReportItem>;

export const ReportAck = Type.Object({
  /**
   * Every item of the batch up to this sequence number is durably stored or refused for good
   * (listed in `rejected`); the agent deletes the items it sent up to it.
   */
  ackSeq: Type.Integer(),
  /** The server could not apply an inventory delta and wants a full report. */
  inventoryResync: Type.Boolean(),
  /** Items refused one by one (absent from older sites: nothing was refused). */
  rejected: Type.Optional(Type.Array(RejectedReportItem)),
});
export type ReportAck = Static<typeof ReportAck>;

export const HeartbeatBody = Type.Object(
  {
    agentVersion: Type.String({ maxLength: 64 }),
    // Stored in an integer column: a value beyond it would fail the activity write of every device.
    policyVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INT32 })),
  },
  { additionalProperties: false },
);
export type HeartbeatBody = Static<typeof HeartbeatBody>;

/** What the server can ask a connected agent to do now. */
export const NudgeAction = Type.Union([
  Type.Literal('policy:fetch'),
  Type.Literal('inventory:collect'),
  Type.Literal('deployments:evaluate'),
]);
export type NudgeAction = Static<typeof NudgeAction>;
export const NUDGE_ACTIONS: readonly NudgeAction[] = [
  'policy:fetch',
  'inventory:collect',
  'deployments:evaluate',
];

/** Frames on the push channel (WebSocket). The server only nudges; the agent fetches over HTTPS. */
export const PushFrame = Type.Union([
  Type.Object({ type: Type.Literal('nudge'), action: NudgeAction, requestId: Type.String() }),
  Type.Object({ type: Type.Literal('nudge:ack'), requestId: Type.String() }),
  Type.Object({ type: Type.Literal('hello'), deviceId: Type.String() }),
]);
export type PushFrame = Static<typeof PushFrame>;

/** Status-message attribute that ties a report to a push request, so the device history can close it. */
export const REQUEST_ID_ATTRIBUTE = 'requestId';
