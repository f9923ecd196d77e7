/**
 * Stable error codes of distribution points, DP groups, boundaries and content location. Kept
 * beside the code (as content/codes.ts does) so the shared protocol ErrorCode file is not edited
 * by several helpers at once; clients switch on the values either way.
 */
export const DistributionErrorCode = {
  DP_NOT_FOUND: 'DP_NOT_FOUND',
  DP_NAME_TAKEN: 'DP_NAME_TAKEN',
  DP_IS_SITE_SERVER: 'DP_IS_SITE_SERVER',
  DP_GROUP_NOT_FOUND: 'DP_GROUP_NOT_FOUND',
  DP_GROUP_NAME_TAKEN: 'DP_GROUP_NAME_TAKEN',
  /** The package has no version yet: there is nothing to distribute. */
  PACKAGE_HAS_NO_CONTENT: 'PACKAGE_HAS_NO_CONTENT',
  INVALID_BOUNDARY: 'INVALID_BOUNDARY',
  INVALID_ADDRESS: 'INVALID_ADDRESS',
  BOUNDARY_NOT_FOUND: 'BOUNDARY_NOT_FOUND',
  BOUNDARY_NAME_TAKEN: 'BOUNDARY_NAME_TAKEN',
  BOUNDARY_GROUP_NOT_FOUND: 'BOUNDARY_GROUP_NOT_FOUND',
  BOUNDARY_GROUP_NAME_TAKEN: 'BOUNDARY_GROUP_NAME_TAKEN',
  /** A boundary group named as its own neighbour, or the same neighbour twice. */
  INVALID_NEIGHBOUR: 'INVALID_NEIGHBOUR',
  /** DP registration: unknown, used or expired one-time secret. */
  DP_TOKEN_INVALID: 'DP_TOKEN_INVALID',
  DP_TOKEN_EXPIRED: 'DP_TOKEN_EXPIRED',
  /** A DP request without a valid `x-steward-dp` header. */
  DP_AUTH_FAILED: 'DP_AUTH_FAILED',
} as const;
export type DistributionErrorCode =
  (typeof DistributionErrorCode)[keyof typeof DistributionErrorCode];

/** Unique-constraint violation on either database (name taken, racing inserts). */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  return err.code === '23505' || err.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
