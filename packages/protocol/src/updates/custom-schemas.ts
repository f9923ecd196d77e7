import { type Static, Type } from '@sinclair/typebox';
import { Description, Id, Name, Nullable, Sha256 } from '../common/schemas.js';
import { pagingFields } from '../http/paging.js';
import { CveId, UpdateSeverity } from './adv-schemas.js';
import { UpdateClassification } from './schemas.js';

/**
 * Custom (third-party) updates (issue 10, ADR 0059): the second catalog kind, defined by an
 * administrator rather than synced from an apt source (the seed's Office inventory tool analog).
 * The agent decides its state from detection rules, and installs or removes it with programs
 * from the content library.
 */

/** An absolute path on the machine, no `..` segment (rules read it, never write it). */
const AbsolutePath = Type.String({
  minLength: 2,
  maxLength: 1024,
  pattern: '^/(?!.*(^|/)\\.\\.(/|$))[^\\u0000-\\u001f]*$',
});
/** A Debian package name (policy 5.6.1) or `name:arch`. */
const PackageName = Type.String({
  minLength: 2,
  maxLength: 200,
  pattern: '^[a-z0-9][a-z0-9+.-]+$',
});
const Architecture = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' });
/** A Debian version (epoch, upstream, revision), compared in dpkg's order. */
const DebianVersion = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^([0-9]+:)?[0-9][A-Za-z0-9.+~:-]*$',
});

/** Limits of a command rule, declared once (ADR 0016): the CLI, console and server read them. */
export const CUSTOM_RULE_COMMAND_TIMEOUT = { minimum: 1, maximum: 600, default: 30 } as const;
export const CUSTOM_RULES_MAX = 32;

/** Installed at or above `minVersion` (dpkg order); `architecture` narrows it to one. */
export const PackageRule = Type.Object(
  {
    kind: Type.Literal('package'),
    package: PackageName,
    minVersion: DebianVersion,
    architecture: Type.Optional(Architecture),
  },
  { additionalProperties: false },
);
export const FileExistsRule = Type.Object(
  { kind: Type.Literal('file-exists'), path: AbsolutePath },
  { additionalProperties: false },
);
/** The file's SHA-256 (lower-case hex) equals `sha256`. */
export const FileHashRule = Type.Object(
  { kind: Type.Literal('file-sha256'), path: AbsolutePath, sha256: Sha256 },
  { additionalProperties: false },
);
/**
 * `/bin/sh -c command` exits with `exitCode` within `timeoutSeconds` (run as the agent runs
 * programs: root, no terminal). A timeout or a spawn failure makes the rule unknown.
 */
export const CommandRule = Type.Object(
  {
    kind: Type.Literal('command'),
    command: Type.String({ minLength: 1, maxLength: 4096 }),
    exitCode: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, default: 0 })),
    timeoutSeconds: Type.Optional(
      Type.Integer({
        minimum: CUSTOM_RULE_COMMAND_TIMEOUT.minimum,
        maximum: CUSTOM_RULE_COMMAND_TIMEOUT.maximum,
        default: CUSTOM_RULE_COMMAND_TIMEOUT.default,
      }),
    ),
  },
  { additionalProperties: false },
);
export const DetectionRule = Type.Union([PackageRule, FileExistsRule, FileHashRule, CommandRule]);
export type DetectionRule = Static<typeof DetectionRule>;
export type DetectionRuleKind = DetectionRule['kind'];

/** Rules combined with all (and) or any (or). */
export const RuleSet = Type.Object(
  {
    match: Type.Union([Type.Literal('all'), Type.Literal('any')]),
    rules: Type.Array(DetectionRule, { minItems: 1, maxItems: CUSTOM_RULES_MAX }),
  },
  { additionalProperties: false },
);
export type RuleSet = Static<typeof RuleSet>;

const Link = Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://[^\\s]+$' });

export const CustomUpdateReferences = Type.Object(
  {
    cves: Type.Optional(Type.Array(CveId, { maxItems: 200, uniqueItems: true })),
    links: Type.Optional(Type.Array(Link, { maxItems: 50, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type CustomUpdateReferences = Static<typeof CustomUpdateReferences>;

/** A word of the identity (vendor, product, version): what export/import match on. */
const IdentityWord = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\u0000-\\u001f]+$',
});

export const CustomUpdateInput = Type.Object(
  {
    title: Name,
    vendor: IdentityWord,
    product: IdentityWord,
    version: IdentityWord,
    classification: Type.Optional(UpdateClassification),
    severity: Type.Optional(UpdateSeverity),
    description: Type.Optional(Description),
    references: Type.Optional(CustomUpdateReferences),
    /** True: the update is installed. */
    detection: RuleSet,
    /** True: the update concerns the machine; absent: every machine. False: not required. */
    applicability: Type.Optional(Nullable(RuleSet)),
    /** Programs of the content library that install and remove it (null: none). */
    installProgramId: Type.Optional(Nullable(Id)),
    uninstallProgramId: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false },
);
export type CustomUpdateInput = Static<typeof CustomUpdateInput>;

export const CustomUpdatePatch = Type.Partial(CustomUpdateInput, { additionalProperties: false });
export type CustomUpdatePatch = Static<typeof CustomUpdatePatch>;

/** A program as a custom update names it: enough to show and to run it. */
export const CustomUpdateProgramRef = Type.Object({
  id: Type.String(),
  name: Type.String(),
  packageId: Type.String(),
  packageName: Type.String(),
});
export type CustomUpdateProgramRef = Static<typeof CustomUpdateProgramRef>;

export const CustomUpdate = Type.Object({
  id: Type.String(),
  kind: Type.Literal('custom'),
  title: Type.String(),
  vendor: Type.String(),
  product: Type.String(),
  version: Type.String(),
  classification: UpdateClassification,
  severity: UpdateSeverity,
  description: Type.String(),
  references: Type.Object({ cves: Type.Array(Type.String()), links: Type.Array(Type.String()) }),
  detection: RuleSet,
  applicability: Nullable(RuleSet),
  installProgram: Nullable(CustomUpdateProgramRef),
  uninstallProgram: Nullable(CustomUpdateProgramRef),
  createdAt: Type.String(),
  createdBy: Type.String(),
  updatedAt: Type.String(),
});
export type CustomUpdate = Static<typeof CustomUpdate>;

export const ListCustomUpdatesQuery = Type.Object(
  {
    /** Title, vendor or product contains. */
    search: Type.Optional(Type.String({ maxLength: 200 })),
    vendor: Type.Optional(IdentityWord),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type ListCustomUpdatesQuery = Static<typeof ListCustomUpdatesQuery>;

/** A custom update's state on a device as a list filters it (ADR 0074). */
export const CustomComplianceState = Type.Union([
  Type.Literal('installed'),
  Type.Literal('required'),
  Type.Literal('not-required'),
  Type.Literal('unknown'),
]);
export type CustomComplianceState = Static<typeof CustomComplianceState>;

/**
 * How many machines have a custom update installed, need it, do not, or cannot tell, from their
 * own scans (ADR 0074). The site cannot evaluate file and command rules: a device whose scan
 * has not reported the update yet is counted as `notScanned` ("Unknown until scanned").
 */
export const CustomUpdateComplianceSummary = Type.Object({
  updateId: Type.String(),
  title: Type.String(),
  counts: Type.Object({
    installed: Type.Integer(),
    required: Type.Integer(),
    notRequired: Type.Integer(),
    unknown: Type.Integer(),
    notScanned: Type.Integer(),
  }),
});
export type CustomUpdateComplianceSummary = Static<typeof CustomUpdateComplianceSummary>;

/** One device's scan result for a custom update. */
export const CustomUpdateDevice = Type.Object({
  deviceId: Type.String(),
  deviceName: Type.String(),
  state: CustomComplianceState,
  /** The rules' words: why the update is Unknown on the device. */
  details: Type.Array(Type.String()),
  installedAt: Nullable(Type.String()),
  firstDetectedAt: Nullable(Type.String()),
  scannedAt: Type.String(),
});
export type CustomUpdateDevice = Static<typeof CustomUpdateDevice>;

export const CustomUpdateDevicesQuery = Type.Object(
  { state: Type.Optional(CustomComplianceState), ...pagingFields() },
  { additionalProperties: false },
);
export type CustomUpdateDevicesQuery = Static<typeof CustomUpdateDevicesQuery>;
