import { SoftwareErrorCode } from '@steward/protocol';

/** The phased codes, from the one list in protocol (`SoftwareErrorCode`, part of `ErrorCode`). */
export const PhasedErrorCode = SoftwareErrorCode;
