import {
  UpdateClassification,
  UpdateSyncFailure,
  UpdateSyncState,
  UpdateSyncTrigger,
} from '@steward/protocol';
import { defaulted, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** The software-updates domain's tables: sources, syncs, the catalog (issue 10, ADR 0039). */
export const updatesTables = {
  update_source: {
    id: text(),
    name: text(),
    url: text(),
    suite: text(),
    /** JSON arrays of words: shown and read whole, never queried. */
    components: text(),
    architectures: text(),
    /** ASCII-armoured OpenPGP public keyring (apt's Signed-By). */
    keyring: text(),
    sync_interval_hours: integer(),
    enabled: integer(),
    created_at: text(),
    created_by: text(),
    /** SHA-256 of the last verified Release text: an unchanged suite is recognised from it. */
    release_sha256: nullable(text()),
    signed_by: nullable(text()),
    last_sync_id: nullable(text()),
    last_sync_started_at: nullable(text()),
  },
  update_sync: {
    id: text(),
    source_id: text(),
    state: oneOf(UpdateSyncState),
    trigger: oneOf(UpdateSyncTrigger),
    requested_by: text(),
    started_at: text(),
    progress_at: text(),
    finished_at: nullable(text()),
    indexes_total: defaulted(integer()),
    indexes_done: defaulted(integer()),
    packages_read: defaulted(integer()),
    added: defaulted(integer()),
    superseded: defaulted(integer()),
    failure: nullable(oneOf(UpdateSyncFailure)),
    error: nullable(text()),
  },
  software_update: {
    id: text(),
    source_id: text(),
    package: text(),
    version: text(),
    /** debianVersionKey(version): byte order is dpkg order (protocol/common/version.ts). */
    version_key: text(),
    classification: oneOf(UpdateClassification),
    /** JSON array of { package, version, architecture }. */
    binaries: text(),
    first_seen_at: text(),
    superseded_at: nullable(text()),
    superseded_by: nullable(text()),
    /** The archive's date: the Release Date of the sync that first saw it (ADR 0099 era). */
    published_at: nullable(text()),
    /** When a changed index last replaced this version's files, and how many times it did. */
    revised_at: nullable(text()),
    revision: defaulted(integer()),
    /** SHA-256 over the sorted "package architecture file-hash" lines the indexes gave. */
    index_digest: nullable(text()),
  },
  /** One row per binary package of an update: what SQL joins installed package sets against. */
  software_update_binary: {
    update_id: text(),
    package: text(),
    arch: text(),
    version: text(),
    /** debianVersionKey(version), compared with package_set_item.version_key (byte order). */
    version_key: text(),
  },
} as const;

export interface UpdatesTables {
  update_source: TableOf<typeof updatesTables.update_source>;
  update_sync: TableOf<typeof updatesTables.update_sync>;
  software_update: TableOf<typeof updatesTables.software_update>;
  software_update_binary: TableOf<typeof updatesTables.software_update_binary>;
}
