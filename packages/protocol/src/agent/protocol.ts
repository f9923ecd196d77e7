import { type Static, Type } from '@sinclair/typebox';
import { MAX_INT32, MAX_INTERVAL_SECONDS } from '../http/paging.js';
import {
  choiceSetting,
  durationSetting,
  integerSetting,
  textSetting,
  settingsValueProperties,
} from '../common/settings.js';
import { ClientCheckReport } from '../client-check/schemas.js';
import { AgentUpgradeReport, ClientVersionTarget } from '../agent-versions/schemas.js';
import { CustomClassDefinition, InventoryReportBody } from '../inventory/schemas.js';
import { StatusMessageBody } from '../status/catalog.js';
import { DeploymentStateReport } from './software.js';
import { UpdateScanReport, UpdateScanSettingsOptions } from '../updates/scan-schemas.js';

/** The restart command's bound, and its form: an absolute path and space-separated arguments. */
export const MAX_REBOOT_COMMAND_LENGTH = 200;
export const REBOOT_COMMAND_PATTERN = '^/[^\\u0000-\\u0020]+( [^\\u0000-\\u0020]+)*$';

/** Header carrying `<deviceId>.<deviceKey>` on every agent request after enrolment. */
export const DEVICE_AUTH_HEADER = 'x-steward-device';

/** The most outbox items in one report request: the batch-size setting's bound and the route's. */
export const MAX_REPORT_BATCH_SIZE = 5000;

const durationFlag = (name: string) => ({
  kind: 'value' as const,
  name,
  placeholder: '<duration>',
});

/**
 * The client settings that are single values, declared once (ADR 0016): the site's validation,
 * its defaults, the CLI's `client-settings set` flags and help, and the console's client
 * settings page come from here. Intervals are stored in seconds and shown in the unit a person
 * thinks in.
 */
export const ClientSettingsOptions = {
  policyIntervalSeconds: durationSetting({
    label: 'Policy polling',
    shortLabel: 'Policy',
    help: 'How often agents fetch policy (they are also nudged at once over the push channel)',
    unit: 'minutes',
    minimum: 30,
    maximum: MAX_INTERVAL_SECONDS,
    default: 3600,
    flag: durationFlag('policy-interval'),
  }),
  heartbeatIntervalSeconds: durationSetting({
    label: 'Heartbeat',
    help: 'How often agents say they are alive',
    unit: 'seconds',
    minimum: 10,
    maximum: MAX_INTERVAL_SECONDS,
    default: 300,
    flag: durationFlag('heartbeat-interval'),
  }),
  inventoryIntervalSeconds: durationSetting({
    label: 'Hardware and software inventory',
    shortLabel: 'Inventory',
    help: 'How often agents collect inventory; daily is usual, deltas follow the first full report',
    unit: 'hours',
    minimum: 60,
    maximum: MAX_INTERVAL_SECONDS,
    // Seed 004: hardware and software inventory daily; the file scan weekly.
    default: 86_400,
    flag: durationFlag('inventory-interval'),
  }),
  softwareScanIntervalSeconds: durationSetting({
    label: 'Software file scan',
    shortLabel: 'Software scan',
    help: 'How often agents scan the software scan paths for executable files',
    unit: 'hours',
    minimum: 60,
    maximum: MAX_INTERVAL_SECONDS,
    default: 604_800,
    flag: durationFlag('software-scan-interval'),
  }),
  reportBatchSize: integerSetting({
    label: 'Report batch size',
    help: 'Outbox items an agent sends per request',
    unit: 'items',
    minimum: 1,
    maximum: MAX_REPORT_BATCH_SIZE,
    default: 500,
    flag: { kind: 'value', name: 'report-batch-size', placeholder: '<n>' },
  }),
  contentDownloadKbps: integerSetting({
    label: 'Content download throttle',
    shortLabel: 'Content download',
    help: 'Download rate per agent; 0 = not throttled',
    unit: 'KiB/s',
    minimum: 0,
    maximum: 10_000_000,
    default: 0,
    flag: { kind: 'value', name: 'content-download-kbps', placeholder: '<n>' },
  }),
  contentCacheMb: integerSetting({
    label: 'Content cache',
    help: "Bound of each agent's content cache; least recently used content goes first",
    unit: 'MiB',
    minimum: 100,
    maximum: 10_000_000,
    default: 5120,
    flag: { kind: 'value', name: 'content-cache-mb', placeholder: '<n>' },
  }),
  // ---- client check (the ccmeval analog, issue 9) ----
  clientCheckIntervalSeconds: durationSetting({
    label: 'Client check',
    help: 'How often agents check their own health (also on demand: a client-check:run nudge or steward-agent check)',
    unit: 'hours',
    minimum: 300,
    maximum: MAX_INTERVAL_SECONDS,
    default: 86_400,
    flag: durationFlag('client-check-interval'),
  }),
  clientCheckMode: choiceSetting({
    label: 'Client check remediation',
    shortLabel: 'Client check mode',
    help: 'Whether a failed check is repaired (restart the service, repair the state directory) or only reported',
    render: 'select',
    choices: [
      { value: 'remediate', label: 'Remediate and report' },
      { value: 'notify-only', label: 'Report only (notify-only)' },
    ],
    default: 'remediate',
    flag: { kind: 'value', name: 'client-check-mode', placeholder: '<remediate|notify-only>' },
  }),
  clientCheckMinFreeDiskMb: integerSetting({
    label: 'Client check: minimum free disk',
    shortLabel: 'Minimum free disk',
    help: 'Free space the state directory needs; less fails the disk check',
    unit: 'MiB',
    minimum: 0,
    maximum: 10_000_000,
    default: 500,
    flag: { kind: 'value', name: 'client-check-min-free-disk-mb', placeholder: '<n>' },
  }),
  clientCheckOutboxMaxItems: integerSetting({
    label: 'Client check: outbox items',
    shortLabel: 'Outbox items limit',
    help: 'More items waiting in the outbox than this fails the outbox check',
    unit: 'items',
    minimum: 1,
    maximum: 1_000_000,
    default: 5000,
    flag: { kind: 'value', name: 'client-check-outbox-items', placeholder: '<n>' },
  }),
  clientCheckOutboxMaxAgeSeconds: durationSetting({
    label: 'Client check: outbox age',
    shortLabel: 'Outbox age limit',
    help: 'The oldest outbox item waiting longer than this fails the outbox check',
    unit: 'hours',
    minimum: 60,
    maximum: MAX_INTERVAL_SECONDS,
    default: 86_400,
    flag: durationFlag('client-check-outbox-age'),
  }),
  clientCheckMaxClockSkewSeconds: durationSetting({
    label: 'Client check: clock skew',
    shortLabel: 'Clock skew limit',
    help: "Difference from the site's clock (its Date header) above which the clock check fails",
    unit: 'seconds',
    minimum: 5,
    maximum: 86_400,
    default: 300,
    flag: durationFlag('client-check-max-clock-skew'),
  }),
  // ---- software update scan schedule (issue 10, ADR 0064) ----
  ...UpdateScanSettingsOptions,
  /** Update deployments suppress restarts per role (ADR 0056). */
  deviceRole: choiceSetting({
    label: 'Device role (update restarts)',
    shortLabel: 'Device role',
    help: 'Servers and workstations can have update restarts suppressed separately; automatic: a machine with a graphical login is a workstation',
    render: 'select',
    choices: [
      { value: 'auto', label: 'Automatic (graphical login: workstation; otherwise server)' },
      { value: 'server', label: 'Server' },
      { value: 'workstation', label: 'Workstation' },
    ],
    default: 'auto',
    flag: { kind: 'value', name: 'device-role', placeholder: '<auto|server|workstation>' },
  }),
  /** The command an update restart runs (ADR 0071): an absolute path, then its arguments. */
  rebootCommand: textSetting({
    label: 'Restart command (update restarts)',
    shortLabel: 'Restart command',
    help: 'What agents run to restart the machine after updates; arguments are split on spaces',
    rule: 'An absolute path, then arguments separated by single spaces (no control characters)',
    maxLength: MAX_REBOOT_COMMAND_LENGTH,
    pattern: REBOOT_COMMAND_PATTERN,
    default: '/usr/bin/systemctl reboot',
    flag: { kind: 'value', name: 'reboot-command', placeholder: '<command>' },
  }),
};

/** Directories scanned for executable files by default (a list, so not in the declaration). */
export const DEFAULT_SOFTWARE_SCAN_PATHS = ['/usr/local/bin', '/usr/local/sbin', '/opt'];

const declared = settingsValueProperties(ClientSettingsOptions);

/** Client settings delivered in policy. */
export const ClientSettings = Type.Object({
  ...declared,
  softwareScanPaths: Type.Array(Type.String()),
  // Optional in the document: policies signed before issue 3 do not carry them.
  contentDownloadKbps: Type.Optional(declared.contentDownloadKbps),
  contentCacheMb: Type.Optional(declared.contentCacheMb),
  // Policies signed before issue 9 do not carry the client check settings.
  clientCheckIntervalSeconds: Type.Optional(declared.clientCheckIntervalSeconds),
  clientCheckMode: Type.Optional(declared.clientCheckMode),
  clientCheckMinFreeDiskMb: Type.Optional(declared.clientCheckMinFreeDiskMb),
  clientCheckOutboxMaxItems: Type.Optional(declared.clientCheckOutboxMaxItems),
  clientCheckOutboxMaxAgeSeconds: Type.Optional(declared.clientCheckOutboxMaxAgeSeconds),
  clientCheckMaxClockSkewSeconds: Type.Optional(declared.clientCheckMaxClockSkewSeconds),
  // Policies signed before the update scan schedule became a client setting do not carry it.
  updateScanIntervalSeconds: Type.Optional(declared.updateScanIntervalSeconds),
  updateScanRandomDelaySeconds: Type.Optional(declared.updateScanRandomDelaySeconds),
  // Policies signed before update deployments do not carry it.
  deviceRole: Type.Optional(declared.deviceRole),
  // Policies signed before the restart command became a client setting do not carry it.
  rebootCommand: Type.Optional(declared.rebootCommand),
});
export type ClientSettings = Static<typeof ClientSettings>;

export const PolicyDocument = Type.Object({
  /** Increases whenever anything in the policy changes. */
  version: Type.Integer(),
  issuedAt: Type.String(),
  siteCode: Type.String(),
  settings: ClientSettings,
  inventoryClasses: Type.Array(CustomClassDefinition),
  /**
   * The agent version this device must run (ADR 0027); null when it is excluded from automatic
   * upgrade or no production version is set. Absent from sites before agent self-upgrade.
   */
  clientVersion: Type.Optional(Type.Union([ClientVersionTarget, Type.Null()])),
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
  Type.Object(
    {
      seq: ReportSeq,
      type: Type.Literal('client-check:report'),
      body: ClientCheckReport,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      seq: ReportSeq,
      type: Type.Literal('agent-upgrade:report'),
      body: AgentUpgradeReport,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      seq: ReportSeq,
      type: Type.Literal('update-scan:report'),
      body: UpdateScanReport,
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
      maxItems: MAX_REPORT_BATCH_SIZE,
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
  Type.Literal('client-check:run'),
  /** Fetch policy and upgrade to its client version now, skipping the random delay (ADR 0027). */
  Type.Literal('agent:upgrade'),
  /** Scan for updates now (fetching the catalog's changes first). */
  Type.Literal('updates:scan'),
  /** Scan for updates and collect a full inventory at once (the seed's expedited scan). */
  Type.Literal('updates:scan-expedited'),
]);
export type NudgeAction = Static<typeof NudgeAction>;
export const NUDGE_ACTIONS: readonly NudgeAction[] = [
  'policy:fetch',
  'inventory:collect',
  'deployments:evaluate',
  'client-check:run',
  'agent:upgrade',
  'updates:scan',
  'updates:scan-expedited',
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
