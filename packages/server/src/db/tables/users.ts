export interface AdminUserTable {
  id: string;
  name: string;
  password_hash: string;
  role: string;
  disabled: number;
  created_at: string;
  last_login_at: string | null;
}

export interface AdminSessionTable {
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

/** The users domain's tables. */
export interface UsersTables {
  admin_user: AdminUserTable;
  admin_session: AdminSessionTable;
}
