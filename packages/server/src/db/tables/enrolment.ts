import { defaulted, integer, text, type TableOf } from './columns.js';

/** The enrolment domain's tables (see columns.ts for the conventions). */
export const enrolmentTables = {
  enrolment_token: {
    id: text(),
    secret_hash: text(),
    description: text(),
    created_at: text(),
    created_by: text(),
    expires_at: text(),
    max_uses: integer(),
    uses: defaulted(integer()),
    revoked: defaulted(integer()),
  },
} as const;

export interface EnrolmentTables {
  enrolment_token: EnrolmentTokenTable;
}
export type EnrolmentTokenTable = TableOf<typeof enrolmentTables.enrolment_token>;
