import { PxeStage } from '@steward/protocol';
import { autoId, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** PXE on distribution points, managed on the site (issue 11, ADR 0079). */
export const pxeTables = {
  dp_pxe: {
    dp_id: text(),
    enabled: integer(),
    answer_bios: integer(),
    answer_uefi: integer(),
    respond_to_unknown: integer(),
    response_delay_seconds: integer(),
    http_port: integer(),
    server_address: nullable(text()),
    /** scrypt$<salt>$<hash>, base64url; the password itself is never stored. */
    password_hash: nullable(text()),
    updated_at: text(),
    updated_by: text(),
  },
  dp_pxe_boundary_group: {
    dp_id: text(),
    group_id: text(),
  },
  dp_pxe_activity: {
    id: autoId(),
    dp_id: text(),
    at: text(),
    stage: oneOf(PxeStage),
    client: text(),
    uuid: nullable(text()),
    firmware: nullable(text()),
    address: nullable(text()),
    answered: integer(),
    detail: text(),
  },
} as const;

export interface PxeTables {
  dp_pxe: TableOf<typeof pxeTables.dp_pxe>;
  dp_pxe_boundary_group: TableOf<typeof pxeTables.dp_pxe_boundary_group>;
  dp_pxe_activity: TableOf<typeof pxeTables.dp_pxe_activity>;
}
