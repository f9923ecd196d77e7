import { Type } from '@sinclair/typebox';
import { API_PREFIX, AuditEntry, RowCursor } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { Actor } from '../context.js';

type ListAudit = (
  actor: Actor,
  q: {
    limit: number;
    before?: string | undefined;
    targetType?: string | undefined;
    targetId?: string | undefined;
  },
) => Promise<AuditEntry[]>;

export function registerAuditRoutes(app: App, list: ListAudit): void {
  app.get(
    `${API_PREFIX}/audit-log`,
    {
      schema: {
        tags: ['audit'],
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            before: Type.Optional(RowCursor),
            targetType: Type.Optional(Type.String({ maxLength: 64 })),
            targetId: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(AuditEntry) },
      },
    },
    (req) => list(actorOf(req), req.query),
  );
}
