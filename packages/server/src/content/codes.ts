import { ErrorCode } from '@steward/protocol';

/** The content codes, from the one list in protocol (`ErrorCode`). */
export const ContentErrorCode = ErrorCode;
export type ContentErrorCode = ErrorCode;
