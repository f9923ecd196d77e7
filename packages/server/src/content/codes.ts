/**
 * Stable error codes of the content library and the content route. Kept here rather than in
 * protocol's ErrorCode so the shared contract file is not edited by several helpers at once;
 * the values are what clients switch on either way.
 */
export const ContentErrorCode = {
  CONTENT_HASH_MISMATCH: 'CONTENT_HASH_MISMATCH',
  CONTENT_MISSING: 'CONTENT_MISSING',
  CONTENT_SIZE_MISMATCH: 'CONTENT_SIZE_MISMATCH',
  CONTENT_NOT_FOUND: 'CONTENT_NOT_FOUND',
  CONTENT_ACCESS_DENIED: 'CONTENT_ACCESS_DENIED',
  CONTENT_RANGE_NOT_SATISFIABLE: 'CONTENT_RANGE_NOT_SATISFIABLE',
  INVALID_ARCHIVE: 'INVALID_ARCHIVE',
  INVALID_FOLDER: 'INVALID_FOLDER',
  PACKAGE_NOT_FOUND: 'PACKAGE_NOT_FOUND',
  PACKAGE_NAME_TAKEN: 'PACKAGE_NAME_TAKEN',
  PACKAGE_IN_USE: 'PACKAGE_IN_USE',
  PACKAGE_VERSION_NOT_FOUND: 'PACKAGE_VERSION_NOT_FOUND',
  DUPLICATE_PATH: 'DUPLICATE_PATH',
} as const;
export type ContentErrorCode = (typeof ContentErrorCode)[keyof typeof ContentErrorCode];
