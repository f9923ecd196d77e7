import { SoftwareErrorCode } from '@steward/protocol';

/** The content codes, from the one list in protocol (`SoftwareErrorCode`, part of `ErrorCode`). */
export const ContentErrorCode = SoftwareErrorCode;
export type ContentErrorCode = SoftwareErrorCode;
