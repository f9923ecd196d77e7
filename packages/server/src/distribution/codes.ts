import { ErrorCode } from '@steward/protocol';

/** The distribution codes, from the one list in protocol (`ErrorCode`). */
export const DistributionErrorCode = ErrorCode;
export type DistributionErrorCode = ErrorCode;
