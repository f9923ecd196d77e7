import {
  PushAttemptOutcome,
  PushAuthKind,
  PushJobSource,
  PushServiceMode,
  PushTargetState,
} from '@steward/protocol';
import { defaulted, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** The client push domain's tables (see columns.ts for the conventions). */
export const clientPushTables = {
  push_account: {
    id: text(),
    name: text(),
    user_name: text(),
    auth_kind: oneOf(PushAuthKind),
    secret: text(),
    passphrase: nullable(text()),
    service_mode: oneOf(PushServiceMode),
    created_at: text(),
    created_by: text(),
  },
  push_host_key: {
    host: text(),
    port: integer(),
    key_type: text(),
    fingerprint: text(),
    first_seen_at: text(),
    last_seen_at: text(),
    refused_fingerprint: nullable(text()),
  },
  push_job: {
    id: text(),
    account_id: text(),
    account_name: text(),
    source: oneOf(PushJobSource),
    collection_id: nullable(text()),
    created_at: text(),
    created_by: text(),
  },
  push_target: {
    id: text(),
    job_id: text(),
    host: text(),
    port: integer(),
    state: oneOf(PushTargetState),
    attempts: defaulted(integer()),
    last_error_code: nullable(text()),
    last_error: nullable(text()),
    reason: nullable(text()),
    next_attempt_at: nullable(text()),
    first_attempt_at: nullable(text()),
    device_id: nullable(text()),
    token_id: nullable(text()),
    claimed_by: nullable(text()),
    created_at: text(),
    updated_at: text(),
  },
  push_attempt: {
    id: text(),
    target_id: text(),
    number: integer(),
    started_at: text(),
    finished_at: nullable(text()),
    outcome: nullable(oneOf(PushAttemptOutcome)),
    error_code: nullable(text()),
    log: text(),
    /** The agent version the attempt installs (null before migration 20261206T1407). */
    agent_version: nullable(text()),
  },
} as const;

export interface ClientPushTables {
  push_account: PushAccountTable;
  push_host_key: PushHostKeyTable;
  push_job: PushJobTable;
  push_target: PushTargetTable;
  push_attempt: PushAttemptTable;
}
export type PushAccountTable = TableOf<typeof clientPushTables.push_account>;
export type PushHostKeyTable = TableOf<typeof clientPushTables.push_host_key>;
export type PushJobTable = TableOf<typeof clientPushTables.push_job>;
export type PushTargetTable = TableOf<typeof clientPushTables.push_target>;
export type PushAttemptTable = TableOf<typeof clientPushTables.push_attempt>;
