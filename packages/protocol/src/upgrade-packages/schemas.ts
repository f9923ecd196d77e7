import { type Static, Type } from '@sinclair/typebox';
import { Description, Name, Nullable } from '../common/schemas.js';
import { pagingFields } from '../http/paging.js';
import { DebianMirrorUrl, DebianRelease } from '../os-images/schemas.js';

/**
 * Upgrade packages (issue 11, ADR 0102): an in-place release upgrade (Debian 12 to 13, Ubuntu
 * 22.04 to 24.04) as the `upgrade-os` task-sequence step runs it. Declared once here: the site
 * stores and validates it, the console's form and the CLI's flags read these limits, and the
 * agent gets the same document with its deployed sequence.
 */

/** A release: its code name (`VERSION_CODENAME`) and version (`VERSION_ID`) in /etc/os-release. */
export const OsRelease = Type.Object(
  {
    codename: DebianRelease,
    version: Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9][0-9.]*$' }),
  },
  { additionalProperties: false },
);
export type OsRelease = Static<typeof OsRelease>;

/** One apt source the machine switches to (a deb822 stanza: URIs, Suites, Components). */
export const UpgradeSource = Type.Object(
  {
    url: DebianMirrorUrl,
    suite: DebianRelease,
    components: Type.Array(
      Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' }),
      { minItems: 1, maxItems: 8 },
    ),
  },
  { additionalProperties: false },
);
export type UpgradeSource = Static<typeof UpgradeSource>;

/** The free space asked for when the package names none: a Debian release's download and unpack. */
export const DEFAULT_UPGRADE_FREE_SPACE_MIB = 4096;
/** The longest downtime an upgrade package may allow (a day). */
export const MAX_UPGRADE_DOWNTIME_MINUTES = 1440;

export const UpgradeOptions = Type.Object(
  {
    /**
     * Packages the upgrade may remove (exact names, or globs with `*`). The simulated plan is
     * refused when it removes anything else: an unplanned removal is how a server loses a service.
     */
    allowedRemovals: Type.Array(
      Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-z0-9*][a-z0-9+.*-]*$' }),
      { maxItems: 200, default: [] },
    ),
    /** Download every package before changing any (`apt-get -d`), so downtime is install only. */
    downloadOnlyFirst: Type.Boolean({ default: true }),
    /**
     * The free space (MiB) the download and unpack are estimated to need under /var; a pre-check
     * refuses a machine with less.
     */
    freeSpaceMiB: Type.Integer({
      minimum: 1,
      maximum: 1_048_576,
      default: DEFAULT_UPGRADE_FREE_SPACE_MIB,
    }),
    /**
     * The installation phase's allowed length (minutes): a longer one is reported as a warning
     * (an upgrade is never cut off half-way: dpkg stopped mid-run leaves a broken system).
     */
    maxDowntimeMinutes: Type.Integer({
      minimum: 1,
      maximum: MAX_UPGRADE_DOWNTIME_MINUTES,
      default: 60,
    }),
  },
  { additionalProperties: false },
);
export type UpgradeOptions = Static<typeof UpgradeOptions>;

export const UpgradePackageBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    /** The release a machine must run for the upgrade to start (the one before the target). */
    fromRelease: OsRelease,
    targetRelease: OsRelease,
    sources: Type.Array(UpgradeSource, { minItems: 1, maxItems: 8 }),
    /** The armoured OpenPGP public key(s) apt trusts for these sources (their Signed-By). */
    keyring: Type.String({ minLength: 1, maxLength: 65_536 }),
    options: Type.Optional(Type.Partial(UpgradeOptions)),
  },
  { additionalProperties: false },
);
export type UpgradePackageBody = Static<typeof UpgradePackageBody>;

/** What the agent runs: the stored package, options filled in. */
export const UpgradeSpec = Type.Object({
  id: Type.String(),
  name: Type.String(),
  fromRelease: OsRelease,
  targetRelease: OsRelease,
  sources: Type.Array(UpgradeSource),
  keyring: Type.String(),
  options: UpgradeOptions,
});
export type UpgradeSpec = Static<typeof UpgradeSpec>;

export const UpgradePackageSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  fromRelease: OsRelease,
  targetRelease: OsRelease,
  createdAt: Type.String(),
  updatedAt: Type.String(),
  updatedBy: Type.String(),
});
export type UpgradePackageSummary = Static<typeof UpgradePackageSummary>;

export const UpgradePackage = Type.Object({
  ...UpgradePackageSummary.properties,
  sources: Type.Array(UpgradeSource),
  keyring: Type.String(),
  /** The keyring's size once dearmoured (a check that it is one). */
  keyringBytes: Type.Integer(),
  options: UpgradeOptions,
  /** Task sequences whose newest version has an upgrade-os step naming this package. */
  usedBy: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
});
export type UpgradePackage = Static<typeof UpgradePackage>;

export const ListUpgradePackagesQuery = Type.Object(
  { search: Type.Optional(Type.String({ maxLength: 200 })), ...pagingFields() },
  { additionalProperties: false },
);
export type ListUpgradePackagesQuery = Static<typeof ListUpgradePackagesQuery>;

// ---- the report of one run of the upgrade-os step ----

export const UPGRADE_PRE_CHECKS = [
  'current-release',
  'free-space',
  'held-packages',
  'dpkg-audit',
  'half-configured',
  'apt-lock',
] as const;
export type UpgradePreCheckName = (typeof UPGRADE_PRE_CHECKS)[number];

export const UpgradePreCheck = Type.Object({
  check: Type.Union(UPGRADE_PRE_CHECKS.map((c) => Type.Literal(c))),
  ok: Type.Boolean(),
  detail: Type.String(),
});
export type UpgradePreCheck = Static<typeof UpgradePreCheck>;

export const UpgradeOutcome = Type.Union([
  Type.Literal('succeeded'),
  /** A pre-check failed: nothing was changed. */
  Type.Literal('pre-check-failed'),
  /** The plan removes packages the upgrade package does not allow: sources restored. */
  Type.Literal('refused'),
  /** apt or the post-check failed: sources restored. */
  Type.Literal('failed'),
]);
export type UpgradeOutcome = Static<typeof UpgradeOutcome>;

/** At most this many package names per list travel in a report (the counts are whole). */
export const UPGRADE_REPORT_NAMES = 20;

export const UpgradeReport = Type.Object({
  upgradePackageId: Type.String(),
  fromRelease: Nullable(Type.String()),
  targetRelease: Type.String(),
  outcome: UpgradeOutcome,
  preChecks: Type.Array(UpgradePreCheck),
  plan: Nullable(
    Type.Object({
      upgraded: Type.Integer(),
      new: Type.Integer(),
      removed: Type.Integer(),
      removedNames: Type.Array(Type.String()),
      /** Removals the package does not allow (why a plan was refused). */
      disallowedRemovals: Type.Array(Type.String()),
    }),
  ),
  /** Why it did not succeed; null when it did. */
  reason: Nullable(Type.String()),
  /** The installation phase's length, and whether it passed the allowed downtime. */
  installSeconds: Nullable(Type.Integer()),
  downtimeExceeded: Type.Boolean(),
  sourcesRestored: Type.Boolean(),
});
export type UpgradeReport = Static<typeof UpgradeReport>;
