import { SoftwareErrorCode } from '@steward/protocol';

/** The distribution codes, from the one list in protocol (`SoftwareErrorCode`, part of `ErrorCode`). */
export const DistributionErrorCode = SoftwareErrorCode;
export type DistributionErrorCode = SoftwareErrorCode;
