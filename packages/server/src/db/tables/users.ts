import { Role } from '@steward/protocol';
import { defaulted, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** The users domain's tables (see columns.ts for the conventions). */
export const usersTables = {
  admin_user: {
    id: text(),
    name: text(),
    password_hash: text(),
    role: oneOf(Role),
    disabled: defaulted(integer()),
    created_at: text(),
    last_login_at: nullable(text()),
  },
  admin_session: {
    id: text(),
    user_id: text(),
    created_at: text(),
    expires_at: text(),
  },
} as const;

export interface UsersTables {
  admin_user: AdminUserTable;
  admin_session: AdminSessionTable;
}
export type AdminUserTable = TableOf<typeof usersTables.admin_user>;
export type AdminSessionTable = TableOf<typeof usersTables.admin_session>;
