import { Type, type Static } from '@sinclair/typebox';
import { SoftwareErrorCode } from './software/error-codes.js';

/**
 * Every error that crosses the HTTP boundary has this shape. Clients (console, CLI, scripts)
 * switch on `code`, never on `message`.
 */
export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** Stable error codes. Append only: scripts depend on them. */
export const ErrorCode = {
  // generic
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_JSON: 'INVALID_JSON',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  NOT_FOUND: 'NOT_FOUND',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  INTERNAL: 'INTERNAL',
  UNAVAILABLE: 'UNAVAILABLE',
  // authentication and authorisation
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  LOGIN_RATE_LIMITED: 'LOGIN_RATE_LIMITED',
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  FORBIDDEN: 'FORBIDDEN',
  USER_NAME_TAKEN: 'USER_NAME_TAKEN',
  LAST_ADMIN: 'LAST_ADMIN',
  // enrolment and agents
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_EXHAUSTED: 'TOKEN_EXHAUSTED',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  DEVICE_UNKNOWN: 'DEVICE_UNKNOWN',
  DEVICE_REVOKED: 'DEVICE_REVOKED',
  DEVICE_AUTH_FAILED: 'DEVICE_AUTH_FAILED',
  DEVICE_NOT_CONNECTED: 'DEVICE_NOT_CONNECTED',
  REPORT_OUT_OF_ORDER: 'REPORT_OUT_OF_ORDER',
  // collections and queries
  QUERY_SYNTAX: 'QUERY_SYNTAX',
  QUERY_TYPE: 'QUERY_TYPE',
  COLLECTION_NAME_TAKEN: 'COLLECTION_NAME_TAKEN',
  COLLECTION_BUILTIN: 'COLLECTION_BUILTIN',
  COLLECTION_CYCLE: 'COLLECTION_CYCLE',
  COLLECTION_IN_USE: 'COLLECTION_IN_USE',
  // inventory classes
  INVENTORY_CLASS_NAME_TAKEN: 'INVENTORY_CLASS_NAME_TAKEN',
  INVENTORY_CLASS_BUILTIN: 'INVENTORY_CLASS_BUILTIN',
  INVENTORY_CLASS_INVALID: 'INVENTORY_CLASS_INVALID',
  // input safety (issue 7): text that one of the two database dialects cannot store
  INVALID_TEXT: 'INVALID_TEXT',
  // software distribution
  ...SoftwareErrorCode,
  // agent reports, refused one item at a time (issue 7: agent protocol)
  /** A report item does not match its schema or a range (seq beyond 2^53, unknown type). */
  REPORT_ITEM_INVALID: 'REPORT_ITEM_INVALID',
  /** A deployment state for a deployment that does not target the reporting device. */
  REPORT_ITEM_NOT_TARGETED: 'REPORT_ITEM_NOT_TARGETED',
  // admin API sessions (issue 7: cookie sessions of the console)
  CSRF_TOKEN_INVALID: 'CSRF_TOKEN_INVALID',
  // agent endpoint defence (issue 7): an address whose refusals spent its budget
  AGENT_RATE_LIMITED: 'AGENT_RATE_LIMITED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
