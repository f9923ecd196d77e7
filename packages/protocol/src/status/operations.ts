import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { defineOperations } from '../http/operation.js';
import { RowCursor } from '../http/paging.js';
import { MessageType, Severity } from './catalog.js';
import {
  AuditEntry,
  AuditFacets,
  ClientActivity,
  ListStatusMessagesQuery,
  StatusMessage,
} from './schemas.js';

/** One entry of the status message catalog as the site lists it. */
export const StatusCatalogEntry = Type.Object({
  id: Type.Integer(),
  severity: Severity,
  type: MessageType,
  component: Type.String(),
  text: Type.String(),
});

/** Status messages, the catalog that explains them, and client activity. */
export const statusOperations = defineOperations({
  listMessages: {
    method: 'GET',
    path: '/status-messages',
    query: ListStatusMessagesQuery,
    responses: {
      200: Type.Object({
        items: Type.Array(StatusMessage),
        nextCursor: Type.Union([Type.String(), Type.Null()]),
      }),
    },
    permission: 'read',
    errors: [],
    summary: 'Status messages, filtered, newest first (or tailed with `after`)',
    tags: ['status'],
  },
  catalog: {
    method: 'GET',
    path: '/status-catalog',
    responses: { 200: Type.Array(StatusCatalogEntry) },
    permission: 'read',
    errors: [],
    summary: 'Every status message id with its severity, component and text',
    tags: ['status'],
  },
  clientActivity: {
    method: 'GET',
    path: '/monitoring/client-activity',
    query: Type.Object(
      {
        collection: Type.Optional(Type.String({ maxLength: 200 })),
        /** Client status history is kept 31 days. */
        days: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })),
      },
      { additionalProperties: false },
    ),
    responses: { 200: ClientActivity },
    permission: 'read',
    errors: [ErrorCode.NOT_FOUND],
    summary: 'Active and inactive clients of a collection, hour by hour',
    tags: ['monitoring'],
  },
});

/** Audit entries a page holds unless the caller says otherwise. */
export const AUDIT_PAGE_SIZE = 100;

/** Who changed what, and when. */
export const auditOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/audit-log',
    query: Type.Object(
      {
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: AUDIT_PAGE_SIZE })),
        before: Type.Optional(RowCursor),
        targetType: Type.Optional(Type.String({ maxLength: 64 })),
        targetId: Type.Optional(Type.String({ maxLength: 200 })),
        /** Only what this administrator did. */
        user: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        /** Only this action (`collection.create`), or every action of a kind (`collection.`). */
        action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        /** Entries at or after this time. */
        from: Type.Optional(Type.String({ format: 'date-time' })),
        /** Entries before this time. */
        to: Type.Optional(Type.String({ format: 'date-time' })),
        /** Case-insensitive text in the action, user, target id or details. */
        text: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      },
      { additionalProperties: false },
    ),
    responses: { 200: Type.Array(AuditEntry) },
    permission: 'audit:read',
    errors: [],
    summary: 'The audit log, newest first, filtered by user, action, target, time range and text',
    tags: ['audit'],
  },
  facets: {
    method: 'GET',
    path: '/audit-log/facets',
    responses: { 200: AuditFacets },
    permission: 'audit:read',
    errors: [],
    summary: 'Every user, action and target type in the audit log (for its filters)',
    tags: ['audit'],
  },
});
