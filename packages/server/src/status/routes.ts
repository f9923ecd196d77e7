import { Type } from '@sinclair/typebox';
import {
  API_PREFIX,
  ListStatusMessagesQuery,
  STATUS_CATALOG,
  StatusMessage,
} from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import type { SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { listStatusMessages } from './service.js';

const CatalogEntry = Type.Object({
  id: Type.Integer(),
  severity: Type.String(),
  type: Type.String(),
  component: Type.String(),
  text: Type.String(),
});

export function registerStatusRoutes(app: App, ctx: SiteContext): void {
  const tags = ['status'];
  app.get(
    `${API_PREFIX}/status-messages`,
    {
      schema: {
        tags,
        querystring: ListStatusMessagesQuery,
        response: {
          200: Type.Object({
            items: Type.Array(StatusMessage),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    (req) => listStatusMessages(ctx, actorOf(req), req.query),
  );
  app.get(
    `${API_PREFIX}/status-catalog`,
    { schema: { tags, response: { 200: Type.Array(CatalogEntry) } } },
    (req) => {
      authorize(actorOf(req), 'read');
      return [...STATUS_CATALOG];
    },
  );
}
