import { UpdateClassification, UpdateComplianceState, UpdateSeverity } from '@steward/protocol';
import { nullable, oneOf, text, type TableOf } from './columns.js';

/** Custom (third-party) updates (issue 10, ADR 0059; see columns.ts for the conventions). */
export const customUpdatesTables = {
  custom_update: {
    id: text(),
    title: text(),
    vendor: text(),
    product: text(),
    version: text(),
    classification: oneOf(UpdateClassification),
    severity: oneOf(UpdateSeverity),
    description: text(),
    /** JSON { cves, links }. */
    refs: text(),
    /** JSON rule sets (protocol RuleSet), checked on every read. */
    detection: text(),
    applicability: nullable(text()),
    install_program_id: nullable(text()),
    uninstall_program_id: nullable(text()),
    created_at: text(),
    created_by: text(),
    updated_at: text(),
  },
  /** A device's scan result per custom update (ADR 0074). */
  custom_update_compliance: {
    device_id: text(),
    custom_update_id: text(),
    state: oneOf(UpdateComplianceState),
    /** JSON string[]: the rules' words (why unknown). */
    details: text(),
    installed_at: nullable(text()),
    first_detected_at: nullable(text()),
    scanned_at: text(),
  },
} as const;

export interface CustomUpdatesTables {
  custom_update: CustomUpdateTable;
  custom_update_compliance: TableOf<typeof customUpdatesTables.custom_update_compliance>;
}
export type CustomUpdateTable = TableOf<typeof customUpdatesTables.custom_update>;
