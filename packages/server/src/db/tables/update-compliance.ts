import {
  UpdateApplicableState,
  UpdateComplianceState,
  UpdateHoldReason,
  UpdateScanKind,
  UpdateScanState,
} from '@steward/protocol';
import { bigint, defaulted, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** Scan, applicability and compliance tables (issue 10, ADRs 0046-0047). */
export const updateComplianceTables = {
  /** One row per catalog version: a new one whenever the set of current updates changes. */
  update_catalog_version: {
    version: integer(),
    created_at: text(),
    update_count: integer(),
    /** 1: the custom updates' rules changed at this version (ADR 0074). */
    custom_changed: defaulted(integer()),
  },
  /** Which catalog versions each update belongs to: added at one, removed at another (or not). */
  update_catalog_member: {
    update_id: text(),
    added_version: integer(),
    removed_version: nullable(integer()),
  },
  /** Server-side applicability per DISTINCT package set (ADR 0047). */
  update_applicability: {
    set_id: text(),
    update_id: text(),
    state: oneOf(UpdateApplicableState),
  },
  /** The catalog version each package set's applicability was computed against. */
  update_applicability_set: {
    set_id: text(),
    catalog_version: integer(),
    computed_at: text(),
  },
  /** Each device's latest scan (the scan audit reads it). */
  update_scan: {
    device_id: text(),
    catalog_version: integer(),
    kind: oneOf(UpdateScanKind),
    state: oneOf(UpdateScanState),
    error: nullable(text()),
    started_at: text(),
    finished_at: text(),
    received_at: text(),
    report_seq: bigint(),
  },
  /** A device's own scan results: installed, required (maybe held/pinned) or unknown. */
  update_compliance: {
    device_id: text(),
    update_id: text(),
    state: oneOf(UpdateComplianceState),
    hold: nullable(oneOf(UpdateHoldReason)),
    installed_at: nullable(text()),
    first_detected_at: nullable(text()),
    scanned_at: text(),
  },
} as const;

export interface UpdateComplianceTables {
  update_catalog_version: TableOf<typeof updateComplianceTables.update_catalog_version>;
  update_catalog_member: TableOf<typeof updateComplianceTables.update_catalog_member>;
  update_applicability: TableOf<typeof updateComplianceTables.update_applicability>;
  update_applicability_set: TableOf<typeof updateComplianceTables.update_applicability_set>;
  update_scan: TableOf<typeof updateComplianceTables.update_scan>;
  update_compliance: TableOf<typeof updateComplianceTables.update_compliance>;
}
