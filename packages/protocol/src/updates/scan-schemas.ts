import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../common/schemas.js';
import { pagingFields } from '../http/paging.js';
import { durationSetting } from '../common/settings.js';
import { MAX_INTERVAL_SECONDS } from '../http/paging.js';
import { UpdateSeverity } from './adv-schemas.js';
import { UpdateClassification, UpdateComplianceState } from './schemas.js';
import { RuleSet } from './custom-schemas.js';

/**
 * Client scan and compliance (issue 10, ADRs 0046-0047): the catalog as the agent sees it, the
 * agent's scan report, and the site's compliance answers.
 */

const Text = (maxLength: number) => Type.String({ maxLength });

/** One binary of an update, as compact as a scan needs: [package, arch, version]. */
export const ScanCatalogBinary = Type.Tuple([Text(200), Text(64), Text(200)]);
export type ScanCatalogBinary = Static<typeof ScanCatalogBinary>;

export const ScanCatalogUpdate = Type.Object({
  id: Text(100),
  binaries: Type.Array(ScanCatalogBinary, { maxItems: 2000 }),
});
export type ScanCatalogUpdate = Static<typeof ScanCatalogUpdate>;

/** A custom update as the agent's scan needs it: its rules (ADRs 0059, 0074). */
export const ScanCatalogCustom = Type.Object({
  id: Text(100),
  detection: RuleSet,
  applicability: Nullable(RuleSet),
});
export type ScanCatalogCustom = Static<typeof ScanCatalogCustom>;

/**
 * The catalog for the agent (ADR 0046). `version` increases whenever the set of current updates
 * changes, and when a custom update's rules do (ADR 0074). With `full`, `updates` is the whole
 * catalog; otherwise it is what was added since the version the agent asked from, and `removed`
 * what left it. `count` is the size of the catalog at `version`, so the agent can check a delta
 * landed on the right base. `custom` is the whole set of custom updates, present in a full
 * catalog and in a delta across a version that changed them; absent: unchanged.
 */
export const ScanCatalog = Type.Object({
  version: Type.Integer({ minimum: 0 }),
  full: Type.Boolean(),
  count: Type.Integer({ minimum: 0 }),
  updates: Type.Array(ScanCatalogUpdate),
  removed: Type.Array(Text(100)),
  custom: Type.Optional(Type.Array(ScanCatalogCustom)),
});
export type ScanCatalog = Static<typeof ScanCatalog>;

export const ScanCatalogQuery = Type.Object(
  { since: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })) },
  { additionalProperties: false },
);
export type ScanCatalogQuery = Static<typeof ScanCatalogQuery>;

/** How a required update is held back on the machine (shown as such, not as plain required). */
export const UpdateHoldReason = Type.Union([Type.Literal('held'), Type.Literal('pinned')]);
export type UpdateHoldReason = Static<typeof UpdateHoldReason>;

/** One update's result on a device; updates absent from a report are not required. */
export const UpdateScanResult = Type.Object(
  {
    updateId: Text(100),
    state: UpdateComplianceState,
    hold: Type.Optional(UpdateHoldReason),
    /** When the update's packages were installed (dpkg's info files / dpkg.log), if known. */
    installedAt: Type.Optional(Text(40)),
  },
  { additionalProperties: false },
);
export type UpdateScanResult = Static<typeof UpdateScanResult>;

/**
 * One custom update's result on a device (ADR 0074). Every custom update of the catalog is
 * reported, not-required ones too (a decision of its applicability rules); `details` are the
 * rules' words, which say why an update is Unknown.
 */
export const CustomUpdateScanResult = Type.Object(
  {
    updateId: Text(100),
    state: UpdateComplianceState,
    details: Type.Array(Text(500), { maxItems: 64 }),
  },
  { additionalProperties: false },
);
export type CustomUpdateScanResult = Static<typeof CustomUpdateScanResult>;

export const UpdateScanKind = Type.Union([
  Type.Literal('scheduled'),
  Type.Literal('on-demand'),
  Type.Literal('expedited'),
]);
export type UpdateScanKind = Static<typeof UpdateScanKind>;

/**
 * An agent's scan (outbox item `update-scan:report`). A succeeded scan lists every update that is
 * installed, required or unknown against catalog `catalogVersion` (not-required ones are left out:
 * most of a catalog is not required on any one machine); a failed one says why.
 */
export const UpdateScanReport = Type.Object(
  {
    catalogVersion: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
    kind: UpdateScanKind,
    startedAt: Text(40),
    finishedAt: Text(40),
    error: Type.Optional(Text(2000)),
    results: Type.Array(UpdateScanResult, { maxItems: 200_000 }),
    /** The custom updates' results (absent from agents older than ADR 0074). */
    custom: Type.Optional(Type.Array(CustomUpdateScanResult, { maxItems: 10_000 })),
  },
  { additionalProperties: false },
);
export type UpdateScanReport = Static<typeof UpdateScanReport>;

/** Applicability as the site stores it per package set: absence of a row is "not required". */
export const UpdateApplicableState = Type.Union([
  Type.Literal('installed'),
  Type.Literal('required'),
]);
export type UpdateApplicableState = Static<typeof UpdateApplicableState>;

export const UpdateScanState = Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]);
export type UpdateScanState = Static<typeof UpdateScanState>;

/** Where a device's compliance comes from: its own scan of the current catalog, or the site. */
export const ComplianceBasis = Type.Union([Type.Literal('scan'), Type.Literal('inventory')]);
export type ComplianceBasis = Static<typeof ComplianceBasis>;

export const UpdateComplianceCounts = Type.Object({
  installed: Type.Integer(),
  required: Type.Integer(),
  held: Type.Integer(),
  pinned: Type.Integer(),
  notRequired: Type.Integer(),
  unknown: Type.Integer(),
});
export type UpdateComplianceCounts = Static<typeof UpdateComplianceCounts>;

export const UpdateComplianceSummary = Type.Object({
  updateId: Type.String(),
  package: Type.String(),
  version: Type.String(),
  catalogVersion: Type.Integer(),
  counts: UpdateComplianceCounts,
});
export type UpdateComplianceSummary = Static<typeof UpdateComplianceSummary>;

/** One device's state for one update. */
export const DeviceUpdateCompliance = Type.Object({
  deviceId: Type.String(),
  deviceName: Type.String(),
  updateId: Type.String(),
  package: Type.String(),
  version: Type.String(),
  state: UpdateComplianceState,
  hold: Nullable(UpdateHoldReason),
  basis: ComplianceBasis,
  installedAt: Nullable(Type.String()),
  firstDetectedAt: Nullable(Type.String()),
  scannedAt: Nullable(Type.String()),
});
export type DeviceUpdateCompliance = Static<typeof DeviceUpdateCompliance>;

export const ComplianceListState = Type.Union([
  UpdateComplianceState,
  Type.Literal('held'),
  Type.Literal('pinned'),
]);
export type ComplianceListState = Static<typeof ComplianceListState>;

export const UpdateDevicesQuery = Type.Object(
  { state: Type.Optional(ComplianceListState), ...pagingFields() },
  { additionalProperties: false },
);
export type UpdateDevicesQuery = Static<typeof UpdateDevicesQuery>;

export const DeviceUpdatesQuery = Type.Object(
  {
    state: Type.Optional(ComplianceListState),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type DeviceUpdatesQuery = Static<typeof DeviceUpdatesQuery>;

/** Scan audit: whether a device scanned the current catalog, and if not, why. */
export const ScanAuditState = Type.Union([
  Type.Literal('current'),
  Type.Literal('never'),
  Type.Literal('stale-catalog'),
  Type.Literal('overdue'),
  Type.Literal('failed'),
]);
export type ScanAuditState = Static<typeof ScanAuditState>;

export const ScanAuditEntry = Type.Object({
  deviceId: Type.String(),
  deviceName: Type.String(),
  state: ScanAuditState,
  catalogVersion: Nullable(Type.Integer()),
  currentCatalogVersion: Type.Integer(),
  kind: Nullable(UpdateScanKind),
  scannedAt: Nullable(Type.String()),
  error: Nullable(Type.String()),
});
export type ScanAuditEntry = Static<typeof ScanAuditEntry>;

export const ScanAuditQuery = Type.Object(
  {
    state: Type.Optional(ScanAuditState),
    /** One device's row (the device page's last scan), by device id. */
    deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type ScanAuditQuery = Static<typeof ScanAuditQuery>;

/** Days after which a device that has not scanned is overdue (the schedule is 7 days). */
export const SCAN_OVERDUE_DAYS = 8;

/** The largest random start delay a site can set (a day: a weekly scan spread over a day). */
export const MAX_UPDATE_SCAN_RANDOM_DELAY_SECONDS = 86_400;

/**
 * The agent's scheduled update scan, declared once (ADR 0016) as client settings (ADR 0064), so
 * a collection can scan more often than the rest: weekly by default as in the seed, with a
 * random start delay (2 hours by default, as the seed's) so a fleet does not scan at the same
 * minute. Part of ClientSettingsOptions (agent/protocol.ts).
 */
export const UpdateScanSettingsOptions = {
  updateScanIntervalSeconds: durationSetting({
    label: 'Software update scan',
    shortLabel: 'Update scan',
    help: 'How often agents scan for updates (also on demand and expedited)',
    unit: 'hours',
    minimum: 3600,
    maximum: MAX_INTERVAL_SECONDS,
    default: 604_800,
    flag: { kind: 'value', name: 'update-scan-interval', placeholder: '<duration>' },
  }),
  updateScanRandomDelaySeconds: durationSetting({
    label: 'Software update scan: random start delay',
    shortLabel: 'Update scan delay',
    help: 'Each scheduled scan starts after a random delay up to this, so a fleet does not scan at once; 0 = none',
    unit: 'minutes',
    minimum: 0,
    maximum: MAX_UPDATE_SCAN_RANDOM_DELAY_SECONDS,
    default: 7200,
    flag: { kind: 'value', name: 'update-scan-random-delay', placeholder: '<duration>' },
  }),
};

/** Installed and required (held and pinned included) pairs of device × update in one group. */
export const ComplianceGroup = Type.Object({
  /** The source id, the classification or the severity. */
  key: Type.String(),
  label: Type.String(),
  updates: Type.Integer(),
  installed: Type.Integer(),
  required: Type.Integer(),
});
export type ComplianceGroup = Static<typeof ComplianceGroup>;

export const RequiredUpdate = Type.Object({
  updateId: Type.String(),
  /** `apt` (a catalog update) or `custom` (a custom update, ADR 0083: its page, not the catalog's). */
  kind: Type.Union([Type.Literal('apt'), Type.Literal('custom')]),
  package: Type.String(),
  version: Type.String(),
  sourceName: Type.String(),
  classification: UpdateClassification,
  severity: UpdateSeverity,
  installed: Type.Integer(),
  required: Type.Integer(),
});
export type RequiredUpdate = Static<typeof RequiredUpdate>;

/**
 * The fleet's compliance with the current catalog (the dashboard's charts): device × update
 * pairs installed or required, overall and per source, classification and severity, the
 * devices needing at least one update, and the updates most required. Each device counts from
 * its scan of the current catalog, else from its inventory (as everywhere in compliance).
 * Custom updates count from the devices' scans of their rules; in `bySource` they are one group,
 * key `custom` (CUSTOM_UPDATES_SOURCE_KEY).
 */
/** The `bySource` key of the custom updates (they have no update source). */
export const CUSTOM_UPDATES_SOURCE_KEY = 'custom';

export const UpdateComplianceOverview = Type.Object({
  catalogVersion: Type.Integer(),
  devices: Type.Integer(),
  devicesRequiring: Type.Integer(),
  currentUpdates: Type.Integer(),
  installed: Type.Integer(),
  required: Type.Integer(),
  bySource: Type.Array(ComplianceGroup),
  byClassification: Type.Array(ComplianceGroup),
  bySeverity: Type.Array(ComplianceGroup),
  mostRequired: Type.Array(RequiredUpdate),
});
export type UpdateComplianceOverview = Static<typeof UpdateComplianceOverview>;

export const UpdateComplianceOverviewQuery = Type.Object(
  { top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })) },
  { additionalProperties: false },
);
export type UpdateComplianceOverviewQuery = Static<typeof UpdateComplianceOverviewQuery>;
