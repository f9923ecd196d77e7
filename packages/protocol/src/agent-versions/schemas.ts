import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Sha256 } from '../common/schemas.js';
import { integerSetting, settingsValueProperties } from '../common/settings.js';
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
};

/** Which agent version runs where: production for all, pre-production for one collection. */
export const AgentVersionSettings = Type.Object(
  {
    ...settingsValueProperties(AgentVersionSettingsOptions),
    /** The version every agent outside pre-production (and exclusion) upgrades to. */
    productionVersion: Nullable(AgentVersionString),
    /** The version agents in the pre-production collection upgrade to. */
    preproductionVersion: Nullable(AgentVersionString),
    preproductionCollectionId: Nullable(Id),
    /** Agents in this collection are left on the version they run. */
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
