export interface EnrolmentTokenTable {
  id: string;
  secret_hash: string;
  description: string;
  created_at: string;
  created_by: string;
  expires_at: string;
  max_uses: number;
  uses: number;
  revoked: number;
}

/** The enrolment domain's tables. */
export interface EnrolmentTables {
  enrolment_token: EnrolmentTokenTable;
}
