import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Sha256 } from '../common/schemas.js';
import { booleanSetting, integerSetting, settingsValueProperties } from '../common/settings.js';
import { ContentLocations } from '../boundaries/schemas.js';
import { MAX_BYTES } from '../http/paging.js';

/** How an agent version is packaged (packages/agent/packaging/). */
export const AgentPackageKind = Type.Union([
  /** Debian package, architecture all, needs Node.js >= 20. */
  Type.Literal('deb'),
  /** steward-agent-<version>-linux.tar.gz with install-agent.sh, needs Node.js >= 20. */
  Type.Literal('tarball'),
  /** Node.js single executable, for machines without Node.js; one per CPU architecture. */
  Type.Literal('sea'),
]);
export type AgentPackageKind = Static<typeof AgentPackageKind>;

/** Agent semantic version, as in packages/agent/package.json. */
export const AgentVersionString = Type.String({
  minLength: 5,
  maxLength: 64,
  pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.-]+)?$',
});

/** One file of an agent version's manifest. */
export const AgentPackageFile = Type.Object(
  {
    /** File name in the manifest's folder (no path). */
    name: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9._+-]+$' }),
    kind: AgentPackageKind,
    /** `all` for deb and tarball; the Node.js process.arch of a single executable (x64, arm64). */
    arch: Type.String({ minLength: 1, maxLength: 16, pattern: '^[a-z0-9_]+$' }),
    sha256: Sha256,
    size: Type.Integer({ minimum: 0, maximum: MAX_BYTES }),
  },
  { additionalProperties: false },
);
export type AgentPackageFile = Static<typeof AgentPackageFile>;

/** manifest.json written by `npm run package:agent` (packaging/package-all.sh) beside the files. */
export const AgentPackageManifest = Type.Object(
  {
    name: Type.Literal('steward-agent'),
    version: AgentVersionString,
    files: Type.Array(AgentPackageFile, { minItems: 1, maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type AgentPackageManifest = Static<typeof AgentPackageManifest>;

/** A registered agent version: its packages, stored in the content library by SHA-256. */
export const AgentVersion = Type.Object({
  version: AgentVersionString,
  createdAt: Type.String(),
  createdBy: Type.String(),
  files: Type.Array(AgentPackageFile),
  /** Total bytes of its files. */
  sizeBytes: Type.Integer({ minimum: 0 }),
  /**
   * The content-library package holding its files (ADR 0042), distributed to DPs like any
   * package; null for a version registered before agent versions were content packages, until
   * it is first distributed.
   */
  packageId: Nullable(Type.String()),
  /** Where the site's settings put it: the production version, the pre-production one, or neither. */
  role: Type.Union([Type.Literal('production'), Type.Literal('preproduction'), Type.Null()]),
});
export type AgentVersion = Static<typeof AgentVersion>;

/**
 * The client-version settings declared once (ADR 0016): defaults, `steward agent-version
 * settings` flags and the console's fields come from here.
 */
export const AgentVersionSettingsOptions = {
  upgradeWindowHours: integerSetting({
    label: 'Upgrade window',
    help: 'Agents upgrade at a random time within this many hours of a new version (inside maintenance windows where they exist)',
    unit: 'hours',
    minimum: 1,
    maximum: 24 * 30,
    default: 24,
    flag: { kind: 'value', name: 'upgrade-window-hours', placeholder: '<n>' },
  }),
  upgradeReportInSeconds: integerSetting({
    label: 'Report-in limit',
    help: 'An upgraded agent that has not fetched policy and sent a heartbeat within this many seconds is rolled back to the previous version',
    unit: 'seconds',
    minimum: 10,
    maximum: 3600,
    default: 120,
    flag: { kind: 'value', name: 'upgrade-report-in-seconds', placeholder: '<n>' },
  }),
  upgradeAllowFallback: booleanSetting({
    label: 'Fallback for agent upgrades',
    help: "When no distribution point of a client's boundary groups holds its agent version, let it download from neighbour and fallback distribution points (content-location rules) and, as a last resort, from the site server's install route",
    default: true,
    flag: {
      kind: 'switch',
      name: 'upgrade-fallback',
      on: true,
      off: false,
      onHelp:
        'clients may use neighbour/fallback DPs and the site server when their own DPs lack the version',
      offHelp: "clients download agent upgrades only from their own boundary groups' DPs",
    },
  }),
  upgradeAttemptTimeoutHours: integerSetting({
    label: 'Attempt timeout',
    help: 'An install or upgrade attempt (client push or agent self-upgrade) still running after this many hours never finishes: the device reads Failed on the client status dashboards',
    unit: 'hours',
    minimum: 1,
    maximum: 72,
    default: 2,
    flag: { kind: 'value', name: 'upgrade-attempt-timeout-hours', placeholder: '<n>' },
  }),
};

/** Which agent version runs where: production for all, pre-production for one collection. */
export const AgentVersionSettings = Type.Object(
  {
    ...settingsValueProperties(AgentVersionSettingsOptions),
    /** The version every agent outside pre-production (and outside exclusion) upgrades to. */
    productionVersion: Nullable(AgentVersionString),
    /** The version agents in the pre-production collection upgrade to. */
    preproductionVersion: Nullable(AgentVersionString),
    preproductionCollectionId: Nullable(Id),
    /**
     * Agents in this collection are excluded from automatic client upgrade (ADR 0027): their
     * policy carries no client-version target, whatever the production and pre-production
     * versions, so they stay on the version they run until they leave the collection.
     */
    exclusionCollectionId: Nullable(Id),
  },
  { additionalProperties: false },
);
export type AgentVersionSettings = Static<typeof AgentVersionSettings>;

export const UpdateAgentVersionSettings = Type.Partial(AgentVersionSettings, {
  additionalProperties: false,
});
export type UpdateAgentVersionSettings = Static<typeof UpdateAgentVersionSettings>;

/** What a promotion did: the settings after it, and the production version it replaced. */
export const AgentVersionPromotion = Type.Object({
  settings: AgentVersionSettings,
  previousProductionVersion: Nullable(AgentVersionString),
});
export type AgentVersionPromotion = Static<typeof AgentVersionPromotion>;

/**
 * Where one agent self-upgrade attempt stands (issue 9), as the agent reports it. `succeeded`,
 * `failed` (refused before anything was replaced: download, hash or signature) and `rolled-back`
 * (the new version did not start or report in, and the agent went back) are final.
 */
export const AgentUpgradeState = Type.Union([
  Type.Literal('scheduled'),
  Type.Literal('downloading'),
  Type.Literal('installing'),
  Type.Literal('verifying'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('rolled-back'),
]);
export type AgentUpgradeState = Static<typeof AgentUpgradeState>;

/** The final states of an upgrade attempt: a later report never moves it out of one. */
export const FINAL_AGENT_UPGRADE_STATES: readonly AgentUpgradeState[] = [
  'succeeded',
  'failed',
  'rolled-back',
];

/** The rollout an agent follows (docs/client-deployment.md, "Which version a device should run"). */
export const ClientRollout = Type.Union([
  Type.Literal('production'),
  Type.Literal('pre-production'),
]);
export type ClientRollout = Static<typeof ClientRollout>;

/** A package an agent may upgrade from, as its signed policy names it (ADR 0027). */
export const ClientVersionPackage = Type.Object(
  {
    ...AgentPackageFile.properties,
    /** Agent-listener path the agent downloads it from (the site's install route, CA pinned). */
    path: Type.String({ minLength: 1, maxLength: 512 }),
  },
  { additionalProperties: false },
);
export type ClientVersionPackage = Static<typeof ClientVersionPackage>;

/**
 * The client version a device must run, inside its signed policy: the signature over the policy
 * covers each package's SHA-256 and size, which the agent checks before it replaces anything.
 * Absent (null) for a device in the exclusion collection, or when no production version is set.
 */
export const ClientVersionTarget = Type.Object(
  {
    rollout: ClientRollout,
    version: AgentVersionString,
    /**
     * The tarball, one single executable per architecture and the .deb (the agent picks what it
     * runs as), then the .debs of other recent versions, for .deb installs to roll back to.
     */
    packages: Type.Array(ClientVersionPackage, { maxItems: 16 }),
    /** Hours within which the agent upgrades, at a random time, inside its maintenance windows. */
    upgradeWindowHours: Type.Integer({ minimum: 1 }),
    /** The upgraded agent must fetch policy and send a heartbeat within this, or it rolls back. */
    reportInSeconds: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type ClientVersionTarget = Static<typeof ClientVersionTarget>;

/**
 * One upgrade attempt as the agent reports it through its outbox (`agent-upgrade:report`). The
 * attempt id is the agent's, so a re-sent report updates the same row (agent_upgrade).
 */
export const AgentUpgradeReport = Type.Object(
  {
    attemptId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
    fromVersion: Nullable(Type.String({ maxLength: 64 })),
    toVersion: AgentVersionString,
    rollout: ClientRollout,
    state: AgentUpgradeState,
    scheduledFor: Nullable(Type.String({ maxLength: 40 })),
    startedAt: Type.String({ minLength: 1, maxLength: 40 }),
    /** The agent's time of this report: a report older than the stored one changes nothing. */
    updatedAt: Type.String({ minLength: 1, maxLength: 40 }),
    finishedAt: Nullable(Type.String({ maxLength: 40 })),
    errorCode: Nullable(Type.String({ maxLength: 64 })),
    reason: Nullable(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type AgentUpgradeReport = Static<typeof AgentUpgradeReport>;

/** An upgrade attempt as the site stored it. */
export const AgentUpgradeAttempt = Type.Object({
  deviceId: Id,
  deviceName: Type.String(),
  ...Type.Omit(AgentUpgradeReport, ['updatedAt']).properties,
  updatedAt: Type.String(),
  receivedAt: Type.String(),
});
export type AgentUpgradeAttempt = Static<typeof AgentUpgradeAttempt>;

/** A device's client-version target and its latest upgrade attempts (device page, CLI). */
export const DeviceUpgradeStatus = Type.Object({
  deviceId: Id,
  deviceName: Type.String(),
  /** What the agent last reported in its heartbeat. */
  agentVersion: Nullable(Type.String()),
  /** `excluded`: member of the exclusion collection, no automatic upgrade. */
  rollout: Type.Union([ClientRollout, Type.Literal('excluded')]),
  /** The version its policy targets; null when excluded or no production version is set. */
  targetVersion: Nullable(AgentVersionString),
  attempts: Type.Array(AgentUpgradeAttempt),
});
export type DeviceUpgradeStatus = Static<typeof DeviceUpgradeStatus>;

/** Error codes an agent puts on a failed or rolled-back attempt (`AgentUpgradeReport.errorCode`). */
export const AGENT_UPGRADE_ERROR_CODES = [
  /** The package could not be downloaded. */
  'AGENT_UPGRADE_DOWNLOAD_FAILED',
  /** Size or SHA-256 differ from the signed policy: refused before anything was replaced. */
  'AGENT_UPGRADE_HASH_MISMATCH',
  /** No package in the target this agent can install (runtime, architecture, install kind). */
  'AGENT_UPGRADE_NO_PACKAGE',
  /** Run from a checkout, or installed some other way: nothing to upgrade it with. */
  'AGENT_UPGRADE_UNSUPPORTED_INSTALL',
  /** install-agent.sh of the new version failed. */
  'AGENT_UPGRADE_INSTALL_FAILED',
  /** The new version exited before reporting in. */
  'AGENT_UPGRADE_NOT_STARTED',
  /** The new version ran but did not fetch policy and send a heartbeat within the limit. */
  'AGENT_UPGRADE_NO_REPORT_IN',
  /** A .deb install: apt/dpkg held its lock for the whole wait; nothing was replaced (ADR 0036). */
  'AGENT_UPGRADE_DPKG_BUSY',
  /** A .deb install: the .deb of the running version (to roll back to) is not in the target. */
  'AGENT_UPGRADE_NO_ROLLBACK',
] as const;
export type AgentUpgradeErrorCode = (typeof AGENT_UPGRADE_ERROR_CODES)[number];

/** `GET /agent/v1/agent-upgrade-locations?sha256=`: one package of the device's signed target. */
export const AgentUpgradeLocationsQuery = Type.Object(
  { sha256: Sha256 },
  { additionalProperties: false },
);
export type AgentUpgradeLocationsQuery = Static<typeof AgentUpgradeLocationsQuery>;

/**
 * Where an agent downloads one package of its client-version target (ADR 0042): the distribution
 * points holding the version's content that it may use (the content-location rules, filtered by
 * the fallback setting) with a content access token, and whether it may fall back to the site's
 * install route when none delivers. The bytes are checked against the signed policy either way.
 */
export const AgentUpgradeLocations = Type.Object({
  version: AgentVersionString,
  /** Null when no distribution point holds the version's content (or it was never distributed). */
  content: Nullable(ContentLocations),
  /** The site's install route (`path` in the signed policy) may be used when no DP delivers. */
  siteFallback: Type.Boolean(),
});
export type AgentUpgradeLocations = Static<typeof AgentUpgradeLocations>;
