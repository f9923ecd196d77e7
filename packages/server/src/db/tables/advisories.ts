import {
  AdvisoryFormat,
  AdvisoryImportState,
  AdvisoryKind,
  UpdateSeverity,
} from '@steward/protocol';
import { Type } from '@sinclair/typebox';
import { integer, nullable, oneOf, text, type TableOf } from './columns.js';

const FixStatus = Type.Union([Type.Literal('fixed'), Type.Literal('open')]);

/** Advisories and the CVE view (issue 10, ADR 0048). */
export const advisoriesTables = {
  advisory_feed: {
    id: text(),
    name: text(),
    format: oneOf(AdvisoryFormat),
    url: text(),
    interval_hours: integer(),
    created_at: text(),
    created_by: text(),
    etag: nullable(text()),
    last_modified: nullable(text()),
    sha256: nullable(text()),
    last_import_id: nullable(text()),
    last_import_at: nullable(text()),
  },
  advisory_import: {
    id: text(),
    format: oneOf(AdvisoryFormat),
    feed_id: nullable(text()),
    state: oneOf(AdvisoryImportState),
    requested_by: text(),
    started_at: text(),
    finished_at: text(),
    sha256: nullable(text()),
    advisories: integer(),
    cves: integer(),
    fixes: integer(),
    updates_enriched: integer(),
    error: nullable(text()),
  },
  advisory: {
    id: text(),
    kind: oneOf(AdvisoryKind),
    title: text(),
    description: text(),
    severity: oneOf(UpdateSeverity),
    published_at: nullable(text()),
    /** JSON arrays of strings: shown whole; cve_fix holds what SQL matches on. */
    cves: text(),
    links: text(),
    imported_at: text(),
  },
  cve: {
    id: text(),
    description: text(),
    updated_at: text(),
  },
  cve_fix: {
    cve_id: text(),
    release: text(),
    package: text(),
    origin: text(),
    status: oneOf(FixStatus),
    fixed_version: nullable(text()),
    /** debianVersionKey(fixed_version). */
    fixed_key: nullable(text()),
    severity: oneOf(UpdateSeverity),
  },
  update_advisory: {
    update_id: text(),
    cve_id: text(),
    origin: text(),
    severity: oneOf(UpdateSeverity),
  },
} as const;

export interface AdvisoriesTables {
  advisory_feed: TableOf<typeof advisoriesTables.advisory_feed>;
  advisory_import: TableOf<typeof advisoriesTables.advisory_import>;
  advisory: TableOf<typeof advisoriesTables.advisory>;
  cve: TableOf<typeof advisoriesTables.cve>;
  cve_fix: TableOf<typeof advisoriesTables.cve_fix>;
  update_advisory: TableOf<typeof advisoriesTables.update_advisory>;
}
